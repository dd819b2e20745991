import type { Logger } from 'pino'
import { buildApp, type BrokerApp } from './app.js'
import { TokenFingerprints } from './callers/audit.js'
import { CallerRegistry } from './callers/registry.js'
import type { Clock, Timer } from './clock.js'
import type { Config } from './config/config.js'
import {
  parseCallers, parseEncryptionKeys, parsePartnerToken, readText, type ReadText
} from './config/secrets.js'
import { SecretFiles, type SecretFile } from './secrets/reload.js'
import type { KeyRing } from './secrets/sealer.js'
import { createStores } from './stores/index.js'
import { renewalBudget } from './stores/renewal-budget.js'
import type { TokenStore } from './stores/store.js'
import { UnitClient } from './unit/client.js'

export interface Broker {
  app: BrokerApp
  store: TokenStore
  unit: UnitClient
  /** Re-reads the secret files (the partner token, encryption keys, callers). */
  secrets: SecretFiles
  /** Starts stopping: readiness fails and each answer closes its connection. */
  drain (): void
  close (): Promise<void>
}

export interface BrokerDeps {
  clock: Clock
  logger: Logger
  read?: ReadText
  /** How waits between retries to Unit pass; tests pass them on their own clock. */
  timer?: Timer
}

/**
 * Assembles the broker from its configuration: the store, the Unit client,
 * the callers and the secrets that can change while it runs. The server and
 * the tests both start the broker through here.
 */
export async function createBroker (config: Config, deps: BrokerDeps): Promise<Broker> {
  const { clock, logger } = deps
  let partnerToken = config.partnerToken
  let keyRing = config.keyRing
  const fingerprints = new TokenFingerprints(keyRing)
  const callers = config.authDisabled ? undefined : new CallerRegistry(config.callers)
  if (callers?.size === 0) {
    logger.warn({ event: 'no_callers' }, 'the callers file names no caller: every /v1 request ' +
      'will be refused until one is added')
  }
  if (callers === undefined) {
    logger.warn({ event: 'auth_disabled' }, 'BROKER_AUTH_DISABLED: any local process may ' +
      'have any token')
  }

  const { store, coordinator, redis } = await createStores(config, clock, logger, () => keyRing)
  const unit = new UnitClient({
    baseUrl: config.unitApiUrl,
    partnerToken: () => partnerToken,
    timeoutMs: config.upstreamTimeoutMs
  })
  const read = deps.read ?? readText
  const secrets = new SecretFiles(secretFiles(config, read, {
    partnerToken: (token) => { partnerToken = token; unit.partnerTokenChanged() },
    keyRing: (ring) => { keyRing = ring; fingerprints.rekey(ring) },
    callers: (list) => callers?.replace(list)
  }, () => ({ partnerToken, keyRing })), read, logger)

  const lifecycle = { stopping: false }
  const app = await buildApp({
    lifecycle,
    config,
    store,
    unit,
    clock,
    timer: deps.timer,
    logger,
    callers,
    fingerprints,
    coordinator,
    renewals: renewalBudget(config.renewalsPerMinute, clock,
      redis === undefined ? undefined : { redis, prefix: config.redisKeyPrefix }),
    rateLimitRedis: redis,
    rateLimitPrefix: config.redisKeyPrefix
  })
  const close = async (): Promise<void> => {
    secrets.close()
    await app.close()
    await coordinator?.releaseAll()
    await Promise.all([store.close(), unit.close()])
  }
  return { app, store, unit, secrets, drain: () => { lifecycle.stopping = true }, close }
}

interface Appliers {
  partnerToken: (token: string) => void
  keyRing: (ring: KeyRing) => void
  callers: (callers: ReturnType<typeof parseCallers>) => void
}

function secretFiles (config: Config, read: ReadText, use: Appliers,
  current: () => { partnerToken: string, keyRing: KeyRing | undefined }): SecretFile[] {
  const files: SecretFile[] = []
  let callersText = config.callersText
  if (config.partnerTokenFile !== undefined) {
    files.push({
      variable: 'UNIT_PARTNER_TOKEN_FILE',
      file: config.partnerTokenFile,
      apply: (text) => {
        const token = parsePartnerToken(text)
        if (token === current().partnerToken) return false
        use.partnerToken(token)
        return true
      }
    })
  }
  if (config.encryptionKeyFile !== undefined) {
    files.push({
      variable: 'TOKEN_ENCRYPTION_KEY_FILE',
      file: config.encryptionKeyFile,
      apply: (text) => {
        const ring = parseEncryptionKeys(text)
        if (sameRing(ring, current().keyRing)) return false
        use.keyRing(ring)
        return true
      }
    })
  }
  if (config.callersFile !== undefined) {
    files.push({
      variable: 'BROKER_CALLERS_FILE',
      file: config.callersFile,
      apply: (text) => {
        const callers = parseCallers(text, config.allowedScopes)
        if (text === callersText) return false
        callersText = text
        use.callers(callers)
        return true
      }
    })
  }
  return files
}

function sameRing (a: KeyRing, b: KeyRing | undefined): boolean {
  if (b === undefined || a.sealing.id !== b.sealing.id || a.all.size !== b.all.size) return false
  return [...a.all].every(([id, key]) => b.all.get(id)?.equals(key) === true)
}
