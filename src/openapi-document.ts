/**
 * The API document as the code describes it, for openapi.yaml and its test.
 * It builds the app from placeholder parts with the default configuration and
 * asks @fastify/swagger for the document; nothing is listened on or called.
 */
import { pino } from 'pino'
import { buildApp } from './app.js'
import { TokenFingerprints } from './callers/audit.js'
import { systemClock } from './clock.js'
import { loadConfig } from './config/config.js'
import { MemoryTokenStore } from './stores/memory.js'
import { UnitClient } from './unit/client.js'

export async function openApiYaml (): Promise<string> {
  // Only the defaults shape the document (minTtlSeconds' maximum, for one).
  const config = loadConfig({
    UNIT_PARTNER_TOKEN: 'placeholder-never-sent', BROKER_AUTH_DISABLED: 'true'
  })
  const store = new MemoryTokenStore(systemClock)
  const unit = new UnitClient({
    baseUrl: config.unitApiUrl, partnerToken: () => '', timeoutMs: config.upstreamTimeoutMs
  })
  const app = await buildApp({
    config,
    store,
    unit,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    callers: undefined,
    fingerprints: new TokenFingerprints(undefined)
  })
  try {
    await app.ready()
    return app.swagger({ yaml: true })
  } finally {
    await app.close()
    await Promise.all([store.close(), unit.close()])
  }
}
