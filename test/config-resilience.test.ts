import t from 'tap'
import { ConfigError, loadConfig } from '../src/config/config.js'
import { resilienceSettings } from '../src/config/resilience.js'

const BASE = { BROKER_AUTH_DISABLED: 'true', UNIT_PARTNER_TOKEN: 'partner-canary-5d1e' }

t.test('retries and breakers default to the documented values', async (t) => {
  const config = loadConfig(BASE)
  t.same(config.resilience, {
    retryAttempts: 2, retryBaseMs: 200, breakerThreshold: 5, breakerCooldownSeconds: 10
  })
  t.same(resilienceSettings(config), {
    retryAttempts: 2,
    retryBaseMs: 200,
    budgetMs: 5000,
    breakerThreshold: 5,
    breakerCooldownMs: 10_000
  }, 'a request may wait on Unit for UPSTREAM_TIMEOUT_MS in all')
})

t.test('the variables are read as set', async (t) => {
  const config = loadConfig({
    ...BASE,
    UNIT_RETRY_ATTEMPTS: '0',
    UNIT_RETRY_BASE_MS: '50',
    UNIT_BREAKER_THRESHOLD: '1',
    UNIT_BREAKER_COOLDOWN_SECONDS: '300',
    UPSTREAM_TIMEOUT_MS: '2000'
  })
  t.same(resilienceSettings(config), {
    retryAttempts: 0,
    retryBaseMs: 50,
    budgetMs: 2000,
    breakerThreshold: 1,
    breakerCooldownMs: 300_000
  })
})

t.test('each mistake is one line naming its variable', async (t) => {
  const error = t.throws(() => loadConfig({
    ...BASE,
    UNIT_RETRY_ATTEMPTS: '11',
    UNIT_RETRY_BASE_MS: '0',
    UNIT_BREAKER_THRESHOLD: 'five',
    UNIT_BREAKER_COOLDOWN_SECONDS: '301'
  })) as ConfigError
  t.type(error, ConfigError)
  t.same(error.problems, [
    "UNIT_RETRY_ATTEMPTS must be a whole number from 0 to 10, got '11'",
    "UNIT_RETRY_BASE_MS must be a whole number from 1 to 60000, got '0'",
    "UNIT_BREAKER_THRESHOLD must be a whole number from 1 to 1000, got 'five'",
    "UNIT_BREAKER_COOLDOWN_SECONDS must be a whole number from 1 to 300, got '301'"
  ])
})
