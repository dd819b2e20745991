import type { Caller } from '../callers/policy.js'
import { refusePublishedSecrets } from './published.js'
import type { KeyRing } from '../secrets/sealer.js'
import type { HostPort, RedisTarget } from '../stores/index.js'
import { EnvReader } from './parse.js'
import { readResilience, type ResilienceConfig } from './resilience.js'
import {
  SecretError, parseCallers, parseEncryptionKeys, parsePartnerToken, readSecretText, readText,
  type ReadText
} from './secrets.js'
import {
  DEFAULT_ALLOWED_SCOPES, KNOWN_READ_SCOPES, isWriteScope
} from '../tokens/scopes.js'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

export interface Config {
  unitApiUrl: URL
  /** Set when the partner token comes from a mounted file. */
  partnerTokenFile: string | undefined
  partnerToken: string
  sourceIps: string[]
  tokenLifetimeSeconds: number
  tokenRefreshAfter: number
  tokenExpiryMarginSeconds: number
  upstreamTimeoutMs: number
  /** Retries and breakers around the calls to Unit. */
  resilience: ResilienceConfig
  orgsCacheSeconds: number
  allowedScopes: string[]
  redisUrl: URL | undefined
  /** Redis in any of its set-ups; undefined: the in-process store only. */
  redis: RedisTarget | undefined
  redisKeyPrefix: string
  memoryCacheEntries: number
  /** Background renewals a minute, fleet-wide: the share of Unit's limit they may use. */
  renewalsPerMinute: number
  /** How long a stopping broker keeps serving, unready, before it closes its port. */
  shutdownDelayMs: number
  /** Where the callers come from; undefined when authentication is disabled. */
  callersFile: string | undefined
  callers: Caller[]
  /** The callers file as it was read, to tell a later change from the same text. */
  callersText: string | undefined
  authDisabled: boolean
  /** Set when the encryption keys come from a mounted file. */
  encryptionKeyFile: string | undefined
  /** Undefined: tokens are stored in the clear (memory store, or the insecure switch). */
  keyRing: KeyRing | undefined
  callerRateLimitPerMinute: number
  host: string
  port: number
  logLevel: typeof LOG_LEVELS[number]
  /** Label lookups and mints with the org id in /metrics (more series). */
  metricsOrgLabels: boolean
}

/** Thrown when the environment does not describe a broker that can start. */
export class ConfigError extends Error {
  readonly problems: string[]

  constructor (problems: string[]) {
    super(`invalid configuration:\n${problems.join('\n')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

/**
 * Reads and checks the whole configuration. Every mistake is reported, one
 * line each, instead of stopping at the first.
 */
export function loadConfig (env: Readonly<Record<string, string | undefined>>,
  read: ReadText = readText): Config {
  const reader = new EnvReader(env)
  const config = readAll(reader, read)
  if (reader.problems.length > 0) throw new ConfigError(reader.problems)
  return config
}

function readAll (reader: EnvReader, read: ReadText): Config {
  const lifetime = reader.integer('TOKEN_LIFETIME_SECONDS', 86400, 60, 86400)
  const partner = readPartnerToken(reader, read)
  const allowedScopes = readAllowedScopes(reader)
  const host = reader.raw('HOST') ?? '127.0.0.1'
  const redisUrl = reader.url('REDIS_URL', undefined, ['redis:', 'rediss:'], true)
  const redis = readRedisTarget(reader, redisUrl)
  const callers = readCallers(reader, read, allowedScopes, host)
  const encryption = readEncryptionKeys(reader, read, redis !== undefined)
  const config: Config = {
    unitApiUrl: readUnitApiUrl(reader),
    partnerTokenFile: partner.file,
    partnerToken: partner.token,
    sourceIps: reader.ipList('UNIT_SOURCE_IPS'),
    tokenLifetimeSeconds: lifetime,
    tokenRefreshAfter: reader.fraction('TOKEN_REFRESH_AFTER', 0.8),
    tokenExpiryMarginSeconds: reader.integer('TOKEN_EXPIRY_MARGIN_SECONDS', 30, 0, 3600),
    upstreamTimeoutMs: reader.integer('UPSTREAM_TIMEOUT_MS', 5000, 100, 60000),
    resilience: readResilience(reader),
    orgsCacheSeconds: reader.integer('ORGS_CACHE_SECONDS', 60, 0, 86400),
    allowedScopes,
    redisUrl,
    redis,
    redisKeyPrefix: readKeyPrefix(reader),
    memoryCacheEntries: readMemoryCacheEntries(reader, redis !== undefined),
    shutdownDelayMs: reader.integer('SHUTDOWN_DELAY_MS', 0, 0, 120_000),
    renewalsPerMinute: reader.integer('UNIT_RENEWALS_PER_MINUTE', 500, 1, 100_000),
    ...callers,
    ...encryption,
    callerRateLimitPerMinute: reader.integer('CALLER_RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000),
    host,
    port: reader.integer('PORT', 8080, 0, 65535),
    logLevel: reader.oneOf('LOG_LEVEL', 'info', LOG_LEVELS),
    metricsOrgLabels: reader.boolean('METRICS_ORG_LABELS', false)
  }
  checkTokenTiming(reader, config)
  refusePublishedSecrets(reader, config)
  return config
}

/**
 * Whole seconds of life a token has at its refresh point. Rounded to the
 * millisecond first, so 86400 * (1 - 0.8) counts as the 17280 it means.
 */
export function lifeAtRefreshSeconds (lifetimeSeconds: number, refreshAfter: number): number {
  return Math.floor(Math.round(lifetimeSeconds * (1 - refreshAfter) * 1000) / 1000)
}

/** A token must still have more than the margin left when it is renewed. */
function checkTokenTiming (reader: EnvReader, config: Config): void {
  const lifeAtRefresh = lifeAtRefreshSeconds(config.tokenLifetimeSeconds, config.tokenRefreshAfter)
  if (lifeAtRefresh <= config.tokenExpiryMarginSeconds) {
    reader.fail('TOKEN_REFRESH_AFTER',
      `leaves ${lifeAtRefresh}s of life at renewal, not more than ` +
      `TOKEN_EXPIRY_MARGIN_SECONDS (${config.tokenExpiryMarginSeconds}s); lower it`)
  }
}

function readPartnerToken (reader: EnvReader, read: ReadText):
{ token: string, file: string | undefined } {
  const inline = reader.raw('UNIT_PARTNER_TOKEN')
  const file = reader.raw('UNIT_PARTNER_TOKEN_FILE')
  if (inline !== undefined && file !== undefined) {
    reader.fail('UNIT_PARTNER_TOKEN', 'and UNIT_PARTNER_TOKEN_FILE are both set; set only one')
    return { token: '', file: undefined }
  }
  if (inline === undefined && file === undefined) {
    reader.fail('UNIT_PARTNER_TOKEN', 'is not set (nor UNIT_PARTNER_TOKEN_FILE); the broker ' +
      'needs the partner token Unit issued')
    return { token: '', file: undefined }
  }
  const name = file === undefined ? 'UNIT_PARTNER_TOKEN' : 'UNIT_PARTNER_TOKEN_FILE'
  const token = secret(reader, name, () =>
    parsePartnerToken(file === undefined ? inline ?? '' : readSecretText(read, file)))
  return { token: token ?? '', file }
}

/** Runs a secret's parser, turning its complaint into a line about the variable. */
function secret<T> (reader: EnvReader, name: string, parse: () => T): T | undefined {
  try {
    return parse()
  } catch (err) {
    if (!(err instanceof SecretError)) throw err
    return reader.fail(name, err.message)
  }
}

function readCallers (reader: EnvReader, read: ReadText, allowedScopes: readonly string[],
  host: string): Pick<Config, 'callersFile' | 'callers' | 'callersText' | 'authDisabled'> {
  const file = reader.raw('BROKER_CALLERS_FILE')
  const authDisabled = reader.boolean('BROKER_AUTH_DISABLED', false)
  if (authDisabled) {
    if (file !== undefined) {
      reader.fail('BROKER_AUTH_DISABLED', 'is true while BROKER_CALLERS_FILE is set; set only one')
    } else if (!isLoopback(host)) {
      reader.fail('BROKER_AUTH_DISABLED', `is only allowed on a loopback HOST, not '${host}'`)
    }
    return { callersFile: undefined, callers: [], callersText: undefined, authDisabled }
  }
  if (file === undefined) {
    reader.fail('BROKER_CALLERS_FILE', 'is not set: every caller needs a key (npm run caller ' +
      '-- add), or set BROKER_AUTH_DISABLED=true for local use')
    return { callersFile: undefined, callers: [], callersText: undefined, authDisabled }
  }
  let text: string | undefined
  const callers = secret(reader, 'BROKER_CALLERS_FILE', () => {
    text = readSecretText(read, file)
    return parseCallers(text, allowedScopes)
  })
  return { callersFile: file, callers: callers ?? [], callersText: text, authDisabled }
}

function isLoopback (host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' ||
    /^127\.\d+\.\d+\.\d+$/.test(host)
}

/** The partner token travels to this URL: in the clear only to this machine. */
function readUnitApiUrl (reader: EnvReader): URL {
  const url = reader.url('UNIT_API_URL', 'https://api.s.unit.sh', ['https:', 'http:'])
  if (url === undefined) return new URL('https://api.s.unit.sh')
  const allowHttp = reader.boolean('UNIT_API_ALLOW_HTTP', false)
  if (url.protocol === 'http:' && !isLoopback(url.hostname) && !allowHttp) {
    reader.fail('UNIT_API_URL', 'must use https:// unless it points at this machine (or ' +
      'UNIT_API_ALLOW_HTTP=true, for a local stand-in): the partner token goes with every call')
  }
  if (url.username !== '' || url.password !== '') {
    reader.fail('UNIT_API_URL', 'must not hold a user name or password')
  }
  return url
}

function readEncryptionKeys (reader: EnvReader, read: ReadText, redis: boolean):
Pick<Config, 'encryptionKeyFile' | 'keyRing'> {
  const inline = reader.raw('TOKEN_ENCRYPTION_KEY')
  const file = reader.raw('TOKEN_ENCRYPTION_KEY_FILE')
  const disabled = reader.boolean('TOKEN_ENCRYPTION_DISABLED', false)
  if (inline !== undefined && file !== undefined) {
    reader.fail('TOKEN_ENCRYPTION_KEY', 'and TOKEN_ENCRYPTION_KEY_FILE are both set; set only one')
    return { encryptionKeyFile: undefined, keyRing: undefined }
  }
  if (inline === undefined && file === undefined) {
    if (redis && !disabled) {
      reader.fail('TOKEN_ENCRYPTION_KEY', 'is not set (nor TOKEN_ENCRYPTION_KEY_FILE): tokens ' +
        'in Redis must be sealed; set TOKEN_ENCRYPTION_DISABLED=true only for local use')
    }
    return { encryptionKeyFile: undefined, keyRing: undefined }
  }
  const name = file === undefined ? 'TOKEN_ENCRYPTION_KEY' : 'TOKEN_ENCRYPTION_KEY_FILE'
  const keyRing = secret(reader, name, () =>
    parseEncryptionKeys(file === undefined ? inline ?? '' : readSecretText(read, file)))
  return { encryptionKeyFile: file, keyRing }
}

function readAllowedScopes (reader: EnvReader): string[] {
  const value = reader.raw('ALLOWED_SCOPES')
  if (value === undefined) return [...DEFAULT_ALLOWED_SCOPES]
  const scopes = [...new Set(value.split(/[\s,]+/).filter((s) => s !== ''))]
  for (const scope of scopes) {
    if (isWriteScope(scope)) {
      reader.fail('ALLOWED_SCOPES', `names '${scope}', a write scope; on-behalf tokens are read only`)
    } else if (!KNOWN_READ_SCOPES.includes(scope)) {
      reader.fail('ALLOWED_SCOPES', `names '${scope}', which is not a Unit read scope ` +
        `(known: ${KNOWN_READ_SCOPES.join(', ')})`)
    }
  }
  if (scopes.length === 0) reader.fail('ALLOWED_SCOPES', 'names no scope')
  return scopes.sort()
}

/** Exactly one of REDIS_URL, REDIS_CLUSTER_NODES and REDIS_SENTINELS, or none. */
function readRedisTarget (reader: EnvReader, url: URL | undefined): RedisTarget | undefined {
  const cluster = readHostPorts(reader, 'REDIS_CLUSTER_NODES')
  const sentinels = readHostPorts(reader, 'REDIS_SENTINELS')
  const password = reader.raw('REDIS_PASSWORD')
  const given = [url, cluster, sentinels].filter((target) => target !== undefined).length
  if (given > 1) {
    reader.fail('REDIS_URL', 'REDIS_CLUSTER_NODES and REDIS_SENTINELS: set only one of them')
    return undefined
  }
  if (cluster !== undefined) return { mode: 'cluster', nodes: cluster, password }
  if (sentinels !== undefined) {
    const master = reader.raw('REDIS_SENTINEL_MASTER') ?? 'mymaster'
    return { mode: 'sentinel', sentinels, master, password }
  }
  return url === undefined ? undefined : { mode: 'standalone', url }
}

/** `host:port` pairs separated by commas. */
function readHostPorts (reader: EnvReader, name: string): HostPort[] | undefined {
  const value = reader.raw(name)
  if (value === undefined) return undefined
  const nodes = value.split(',').map((item) => item.trim()).map((item) => {
    const match = /^\[?([\w.:-]+?)\]?:(\d{1,5})$/.exec(item)
    const port = Number(match?.[2])
    return match?.[1] === undefined || port < 1 || port > 65535
      ? undefined
      : { host: match[1], port }
  })
  if (nodes.some((node) => node === undefined)) {
    return reader.fail(name, 'must be host:port pairs separated by commas')
  }
  return nodes as HostPort[]
}

/** 0 turns the in-process tier off, which leaves no store at all without Redis. */
function readMemoryCacheEntries (reader: EnvReader, redis: boolean): number {
  const entries = reader.integer('MEMORY_CACHE_ENTRIES', 10_000, 0, 10_000_000)
  if (entries === 0 && !redis) {
    reader.fail('MEMORY_CACHE_ENTRIES', 'is 0 without Redis: the in-process store is then the ' +
      'only store; 0 (no in-process tier) needs REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS')
  }
  return entries
}

function readKeyPrefix (reader: EnvReader): string {
  const prefix = reader.raw('REDIS_KEY_PREFIX') ?? 'utb:'
  if (!/^[\x21-\x7a\x7c\x7e]{1,64}$/.test(prefix)) {
    reader.fail('REDIS_KEY_PREFIX', 'must be 1 to 64 printable characters without spaces or ' +
      'braces (braces would move keys to other cluster slots)')
  }
  return prefix
}
