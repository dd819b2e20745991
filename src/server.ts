import { createBroker, type Broker } from './broker.js'
import { systemClock } from './clock.js'
import { ConfigError, loadConfig, type Config } from './config/config.js'
import { createProcessLogger } from './log.js'
import type { Log } from './log.js'

/** Starts the broker from the environment; stops it on SIGTERM or SIGINT. */
async function main (): Promise<void> {
  // Until the broker is up there is nothing to re-read; a SIGHUP must not end the process.
  let onHangUp = (): void => {}
  process.on('SIGHUP', () => { onHangUp() })

  const config = configOrExit()
  const logger = await createProcessLogger(config.logLevel)
  const broker = await createBroker(config, { clock: systemClock, logger })

  broker.secrets.watch()
  // A secret file changed while the broker was starting is caught here.
  broker.secrets.reload()
  onHangUp = () => {
    logger.info({ signal: 'SIGHUP' }, 're-reading secret files')
    broker.secrets.reload()
  }
  stopOnSignals(broker, config, logger)
  await listen(broker, config)
  logger.info({
    address: broker.app.server.address(),
    unitApiUrl: config.unitApiUrl.origin,
    store: broker.store.kind,
    encryption: config.keyRing === undefined ? 'off' : 'on',
    callers: config.authDisabled ? 'disabled' : config.callers.length,
    lifetimeSeconds: config.tokenLifetimeSeconds
  }, 'unit-token-broker ready')
}

/**
 * The first signal drains: readiness fails at once, requests keep being
 * served for SHUTDOWN_DELAY_MS while balancers notice, then the port closes,
 * requests in flight finish, locks are released and Redis is closed. A
 * second signal exits at once.
 */
function stopOnSignals (broker: Broker, config: Config, logger: Log): void {
  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting at once')
      process.exit(1)
    }
    stopping = true
    logger.info({ signal, delayMs: config.shutdownDelayMs }, 'stopping: draining')
    broker.drain()
    new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs))
      .then(async () => { await broker.close() })
      .then(
        () => { logger.info('stopped'); process.exit(0) },
        (err: unknown) => { logger.error({ err }, 'failed to stop cleanly'); process.exit(1) })
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

async function listen (broker: Broker, config: Config): Promise<void> {
  try {
    await broker.app.listen({ host: config.host, port: config.port })
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message
    process.stderr.write(`configuration: HOST and PORT (${config.host}:${config.port}) ` +
      `cannot be listened on: ${reason}\n`)
    await broker.close()
    process.exit(1)
  }
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
