import { buildApp } from './app.js'
import { systemClock } from './clock.js'
import { ConfigError, loadConfig } from './config/config.js'
import { createProcessLogger } from './log.js'
import { createStore } from './stores/index.js'
import { UnitClient } from './unit/client.js'

/** Starts the broker from the environment and stops it on SIGTERM or SIGINT. */
async function main (): Promise<void> {
  let config
  try {
    config = loadConfig(process.env)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    for (const line of err.problems) process.stderr.write(`configuration: ${line}\n`)
    process.exit(1)
  }

  const logger = await createProcessLogger(config.logLevel)
  const store = createStore(config, systemClock, logger)
  const partnerToken = config.partnerToken
  const unit = new UnitClient({
    baseUrl: config.unitApiUrl,
    partnerToken: () => partnerToken,
    timeoutMs: config.upstreamTimeoutMs
  })
  const app = await buildApp({ config, store, unit, clock: systemClock, logger })

  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting at once')
      process.exit(1)
    }
    stopping = true
    logger.info({ signal }, 'stopping: finishing requests in flight')
    app.close()
      .then(async () => { await Promise.all([store.close(), unit.close()]) })
      .then(() => { logger.info('stopped'); process.exit(0) },
        (err: unknown) => { logger.error({ err }, 'failed to stop cleanly'); process.exit(1) })
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)

  await app.listen({ host: config.host, port: config.port })
  logger.info({
    unitApiUrl: config.unitApiUrl.origin,
    store: store.kind,
    lifetimeSeconds: config.tokenLifetimeSeconds
  }, 'unit-token-broker ready')
}

main().catch((err: unknown) => {
  process.stderr.write(`unit-token-broker failed to start: ${(err as Error).message}\n`)
  process.exit(1)
})
