import { Writable } from 'node:stream'
import { request } from 'undici'
import { buildApp, type BrokerApp } from '../../src/app.js'
import { loadConfig, type Config } from '../../src/config/config.js'
import { createLogger } from '../../src/log.js'
import { createStore } from '../../src/stores/index.js'
import type { TokenStore } from '../../src/stores/store.js'
import { UnitClient } from '../../src/unit/client.js'
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
  config: Config
  clock: FakeClock
  store: TokenStore
  /** Every log line the broker wrote, as JSON text. */
  logs: string[]
  close (): Promise<void>
}

/** A broker built the way server.ts builds it, listening on a loopback port. */
export async function startBroker (t: Teardown, options: BrokerOptions): Promise<TestBroker> {
  const config = loadConfig({
    UNIT_API_URL: options.unitUrl,
    UNIT_PARTNER_TOKEN: options.partnerToken,
    ...options.env
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
  const store = createStore(config, clock, logger)
  const unit = new UnitClient({
    baseUrl: config.unitApiUrl,
    partnerToken: () => config.partnerToken,
    timeoutMs: config.upstreamTimeoutMs
  })
  const app = await buildApp({ config, store, unit, clock, logger })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0

  let closed = false
  const close = async (): Promise<void> => {
    if (closed) return
    closed = true
    await app.close()
    await Promise.all([store.close(), unit.close()])
  }
  t.teardown(close)
  return { url: `http://127.0.0.1:${port}`, app, config, clock, store, logs, close }
}

export interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  /** The body parsed as JSON, or undefined. */
  // any: tests read answers of many shapes and assert on their fields.
  json: any
}

/** One HTTP call over a real socket. A string body is sent as it is. */
export async function call (base: string, method: 'GET' | 'POST', path: string,
  body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const raw = typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body)
  const answer = await request(base + path, {
    method,
    headers: raw === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: raw
  })
  const text = await answer.body.text()
  let json: unknown
  try { json = JSON.parse(text) } catch { json = undefined }
  return { status: answer.statusCode, headers: answer.headers, text, json }
}

export async function postToken (broker: { url: string }, body: unknown): Promise<Answer> {
  return await call(broker.url, 'POST', '/v1/tokens', body)
}
