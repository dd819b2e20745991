import { createBroker } from './broker.js'
import { systemClock } from './clock.js'
import { ConfigError, loadConfig, type Config } from './config/config.js'
import { createProcessLogger } from './log.js'

/** Starts the broker from the environment; stops it on SIGTERM or SIGINT. */
async function main (): Promise<void> {
  const config = configOrExit()
  const logger = await createProcessLogger(config.logLevel)
  const broker = await createBroker(config, { clock: systemClock, logger })

  broker.secrets.watch()
  process.on('SIGHUP', () => {
    logger.info({ signal: 'SIGHUP' }, 're-reading secret files')
    broker.secrets.reload()
  })

  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting at once')
      process.exit(1)
    }
    stopping = true
    logger.info({ signal }, 'stopping: finishing requests in flight')
    broker.close().then(
      () => { logger.info('stopped'); process.exit(0) },
      (err: unknown) => { logger.error({ err }, 'failed to stop cleanly'); process.exit(1) })
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)

  try {
    await broker.app.listen({ host: config.host, port: config.port })
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message
    process.stderr.write(`configuration: HOST and PORT (${config.host}:${config.port}) ` +
      `cannot be listened on: ${reason}\n`)
    await broker.close()
    process.exit(1)
  }
  logger.info({
    unitApiUrl: config.unitApiUrl.origin,
    store: broker.store.kind,
    encryption: config.keyRing === undefined ? 'off' : 'on',
    callers: config.authDisabled ? 'disabled' : config.callers.length,
    lifetimeSeconds: config.tokenLifetimeSeconds
  }, 'unit-token-broker ready')
}

function configOrExit (): Config {
  try {
    return loadConfig(process.env)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    for (const line of err.problems) process.stderr.write(`configuration: ${line}\n`)
    process.exit(1)
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`unit-token-broker failed to start: ${(err as Error).message}\n`)
  process.exit(1)
})
