import { readFileSync } from 'node:fs'
import { EnvReader } from './parse.js'
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
  orgsCacheSeconds: number
  allowedScopes: string[]
  redisUrl: URL | undefined
  redisKeyPrefix: string
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

/** Variables of later features: refuse them rather than silently run without. */
const UNSUPPORTED = [
  'BROKER_CALLERS_FILE', 'TOKEN_ENCRYPTION_KEY', 'TOKEN_ENCRYPTION_KEY_FILE'
]

type ReadText = (path: string) => string
const readText: ReadText = (path) => readFileSync(path, 'utf8')

/**
 * Reads and checks the whole configuration. Every mistake is reported, one
 * line each, instead of stopping at the first.
 */
export function loadConfig (env: Readonly<Record<string, string | undefined>>,
  read: ReadText = readText): Config {
  const reader = new EnvReader(env)
  const config = readAll(reader, read)
  for (const name of UNSUPPORTED) {
    if (reader.raw(name) !== undefined) {
      reader.fail(name, 'is not supported by this version of the broker; unset it')
    }
  }
  if (reader.problems.length > 0) throw new ConfigError(reader.problems)
  return config
}

function readAll (reader: EnvReader, read: ReadText): Config {
  const lifetime = reader.integer('TOKEN_LIFETIME_SECONDS', 86400, 60, 86400)
  const partner = readPartnerToken(reader, read)
  const config: Config = {
    unitApiUrl: reader.url('UNIT_API_URL', 'https://api.s.unit.sh', ['https:', 'http:']) ??
      new URL('https://api.s.unit.sh'),
    partnerTokenFile: partner.file,
    partnerToken: partner.token,
    sourceIps: reader.ipList('UNIT_SOURCE_IPS'),
    tokenLifetimeSeconds: lifetime,
    tokenRefreshAfter: reader.fraction('TOKEN_REFRESH_AFTER', 0.8),
    tokenExpiryMarginSeconds: reader.integer('TOKEN_EXPIRY_MARGIN_SECONDS', 30, 0, 3600),
    upstreamTimeoutMs: reader.integer('UPSTREAM_TIMEOUT_MS', 5000, 100, 60000),
    orgsCacheSeconds: reader.integer('ORGS_CACHE_SECONDS', 60, 0, 86400),
    allowedScopes: readAllowedScopes(reader),
    redisUrl: reader.url('REDIS_URL', undefined, ['redis:', 'rediss:'], true),
    redisKeyPrefix: readKeyPrefix(reader),
    host: reader.raw('HOST') ?? '127.0.0.1',
    port: reader.integer('PORT', 8080, 0, 65535),
    logLevel: reader.oneOf('LOG_LEVEL', 'info', LOG_LEVELS),
    metricsOrgLabels: reader.boolean('METRICS_ORG_LABELS', false)
  }
  checkTokenTiming(reader, config)
  return config
}

/** A token must still have more than the margin left when it is renewed. */
function checkTokenTiming (reader: EnvReader, config: Config): void {
  const lifeAtRefresh = config.tokenLifetimeSeconds * (1 - config.tokenRefreshAfter)
  if (lifeAtRefresh <= config.tokenExpiryMarginSeconds) {
    reader.fail('TOKEN_REFRESH_AFTER',
      `leaves ${Math.round(lifeAtRefresh)}s of life at renewal, not more than ` +
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
  if (file === undefined) {
    return { token: checkPartnerToken(reader, 'UNIT_PARTNER_TOKEN', inline ?? ''), file }
  }
  return { token: readPartnerTokenFile(reader, read, file), file }
}

/** Reads the partner token from a mounted secret file. */
export function readPartnerTokenFile (reader: EnvReader, read: ReadText, file: string): string {
  let text: string
  try {
    text = read(file)
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable'
    reader.fail('UNIT_PARTNER_TOKEN_FILE', `names a file that cannot be read (${reason}): ${file}`)
    return ''
  }
  return checkPartnerToken(reader, 'UNIT_PARTNER_TOKEN_FILE', text.trim())
}

/** The token is never quoted: only its shape is described. */
function checkPartnerToken (reader: EnvReader, name: string, token: string): string {
  if (token === '') {
    reader.fail(name, 'holds an empty partner token')
  } else if (token.length > 8192 || !/^[\x21-\x7e]+$/.test(token)) {
    reader.fail(name, 'holds a partner token with spaces, control or non-ASCII characters, ' +
      'or over 8192 characters')
  }
  return token
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

function readKeyPrefix (reader: EnvReader): string {
  const prefix = reader.raw('REDIS_KEY_PREFIX') ?? 'utb:'
  if (!/^[\x21-\x7a\x7c\x7e]{1,64}$/.test(prefix)) {
    reader.fail('REDIS_KEY_PREFIX', 'must be 1 to 64 printable characters without spaces or ' +
      'braces (braces would move keys to other cluster slots)')
  }
  return prefix
}
