import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { request } from 'undici'
import type { BrokerApp } from '../../src/app.js'
import { createBroker, type Broker } from '../../src/broker.js'
import { generateCallerKey, hashCallerKey } from '../../src/callers/keys.js'
import { loadConfig, type Config } from '../../src/config/config.js'
import { createLogger } from '../../src/log.js'
import type { TokenStore } from '../../src/stores/store.js'
import { DEFAULT_ALLOWED_SCOPES } from '../../src/tokens/scopes.js'
import { FakeClock } from './clock.js'

interface Teardown {
  teardown (fn: () => unknown): void
}

export interface BrokerOptions {
  unitUrl: string
  partnerToken: string
  /** More environment, as an operator would set it. */
  env?: Record<string, string>
  clock?: FakeClock
}

export interface TestBroker {
  url: string
  app: BrokerApp
  broker: Broker
  config: Config
  clock: FakeClock
  store: TokenStore
  /** The key of the caller the helpers send by default, unless auth is disabled. */
  callerKey: string | undefined
  /** Every log line the broker wrote, as JSON text. */
  logs: string[]
  close (): Promise<void>
}

/** The default caller key of each test broker, by its URL. */
const defaultKeys = new Map<string, string>()

/** A folder for the secret files of one test, removed after it. */
export function secretsDir (t: Teardown): string {
  const dir = mkdtempSync(join(tmpdir(), 'utb-test-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A caller allowed every org and scope, unless the test brings its own callers. */
function defaultCaller (t: Teardown, env: Record<string, string>): Record<string, string> & {
  key?: string
} {
  if (env.BROKER_CALLERS_FILE !== undefined || env.BROKER_AUTH_DISABLED !== undefined) return {}
  const key = generateCallerKey()
  const file = join(secretsDir(t), 'callers.json')
  const scopes = env.ALLOWED_SCOPES?.split(/[\s,]+/) ?? DEFAULT_ALLOWED_SCOPES
  writeFileSync(file, JSON.stringify({
    callers: [{ name: 'test-service', keySha256: hashCallerKey(key), orgs: '*', scopes }]
  }))
  return { BROKER_CALLERS_FILE: file, key }
}

/** One key for every broker of a test file, so a restarted broker opens what the last one sealed. */
const TEST_ENCRYPTION_KEY = `test:${randomBytes(32).toString('base64')}`

/** Redis entries are sealed unless the test says otherwise. */
function encryptionKey (env: Record<string, string>): Record<string, string> {
  const given = ['TOKEN_ENCRYPTION_KEY', 'TOKEN_ENCRYPTION_KEY_FILE', 'TOKEN_ENCRYPTION_DISABLED']
  const redis = ['REDIS_URL', 'REDIS_CLUSTER_NODES', 'REDIS_SENTINELS'].some((name) => env[name])
  if (!redis || given.some((name) => env[name] !== undefined)) return {}
  return { TOKEN_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY }
}

/** A broker built the way server.ts builds it, listening on a loopback port. */
export async function startBroker (t: Teardown, options: BrokerOptions): Promise<TestBroker> {
  const env = options.env ?? {}
  const { key, ...callerEnv } = defaultCaller(t, env)
  const config = loadConfig({
    UNIT_API_URL: options.unitUrl,
    ...(env.UNIT_PARTNER_TOKEN_FILE === undefined ? { UNIT_PARTNER_TOKEN: options.partnerToken } : {}),
    ...encryptionKey(env),
    ...callerEnv,
    ...env
  })
  const clock = options.clock ?? new FakeClock()
  const logs: string[] = []
  const sink = new Writable({
    write (chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''))
      done()
    }
  })
  const logger = createLogger('debug', sink)
  const broker = await createBroker(config, { clock, logger, timer: clock })
  broker.secrets.watch()
  const app = broker.app
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  const url = `http://127.0.0.1:${port}`
  if (key !== undefined) defaultKeys.set(url, key)

  let closed = false
  const close = async (): Promise<void> => {
    if (closed) return
    closed = true
    defaultKeys.delete(url)
    await broker.close()
  }
  t.teardown(close)
  return { url, app, broker, config, clock, store: broker.store, callerKey: key, logs, close }
}

export interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  /** The body parsed as JSON, or undefined. */
  // any: tests read answers of many shapes and assert on their fields.
  json: any
}

/**
 * One HTTP call over a real socket. A string body is sent as it is. The
 * broker's default caller key goes along unless the headers name an
 * authorization; an empty one sends none.
 */
export async function call (base: string, method: 'GET' | 'POST', path: string,
  body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const raw = typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body)
  const sent: Record<string, string> = { ...headers }
  const key = defaultKeys.get(base)
  if (sent.authorization === undefined && key !== undefined) sent.authorization = `Bearer ${key}`
  if (sent.authorization === '') delete sent.authorization
  if (raw !== undefined) sent['content-type'] ??= 'application/json'
  const answer = await request(base + path, { method, headers: sent, body: raw })
  const text = await answer.body.text()
  let json: unknown
  try { json = JSON.parse(text) } catch { json = undefined }
  return { status: answer.statusCode, headers: answer.headers, text, json }
}

export async function postToken (broker: { url: string }, body: unknown): Promise<Answer> {
  return await call(broker.url, 'POST', '/v1/tokens', body)
}
