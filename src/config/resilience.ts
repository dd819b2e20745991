import type { ResilienceSettings } from '../unit/resilient-client.js'
import type { EnvReader } from './parse.js'

/** How the broker retries Unit and when it stops calling it for a while. */
export interface ResilienceConfig {
  retryAttempts: number
  retryBaseMs: number
  breakerThreshold: number
  breakerCooldownSeconds: number
}

export function readResilience (reader: EnvReader): ResilienceConfig {
  return {
    retryAttempts: reader.integer('UNIT_RETRY_ATTEMPTS', 2, 0, 10),
    retryBaseMs: reader.integer('UNIT_RETRY_BASE_MS', 200, 1, 60000),
    breakerThreshold: reader.integer('UNIT_BREAKER_THRESHOLD', 5, 1, 1000),
    breakerCooldownSeconds: reader.integer('UNIT_BREAKER_COOLDOWN_SECONDS', 10, 1, 300)
  }
}

/** A request may wait on Unit for UPSTREAM_TIMEOUT_MS in all, its retries included. */
export function resilienceSettings (config: {
  resilience: ResilienceConfig
  upstreamTimeoutMs: number
}): ResilienceSettings {
  const { resilience } = config
  return {
    retryAttempts: resilience.retryAttempts,
    retryBaseMs: resilience.retryBaseMs,
    budgetMs: config.upstreamTimeoutMs,
    breakerThreshold: resilience.breakerThreshold,
    breakerCooldownMs: resilience.breakerCooldownSeconds * 1000
  }
}
