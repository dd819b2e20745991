import { request, type Dispatcher } from 'undici'
import type { Sandbox } from '../../src/sandbox/index.js'
import type { Answer, TestBroker } from './broker.js'
import { bearer } from './callers.js'

/** The base URL a caller gives Unit's SDK to read an org through the broker. */
export function unitThrough (broker: { url: string }, orgId: string): string {
  return `${broker.url}/v1/orgs/${encodeURIComponent(orgId)}/unit`
}

export interface ReadOptions {
  method?: Dispatcher.HttpMethod
  /** Sent as they are; the broker's default caller key goes along unless one is named. */
  headers?: Record<string, string>
}

/** One read through the broker over a real socket, `path` as the caller writes it after /unit. */
export async function readThrough (broker: TestBroker, orgId: string, path: string,
  options: ReadOptions = {}): Promise<Answer> {
  const headers = { ...bearer(broker.callerKey), ...options.headers }
  const answer = await request(unitThrough(broker, orgId) + path,
    { method: options.method ?? 'GET', headers })
  const text = await answer.body.text()
  let json: unknown
  try { json = JSON.parse(text) } catch { json = undefined }
  return { status: answer.statusCode, headers: answer.headers, text, json }
}

/** The same read straight from the stand-in, with a token of the org that has the scopes. */
export async function readDirect (sandbox: Sandbox, token: string, path: string):
Promise<Answer> {
  const answer = await request(sandbox.url + path, { headers: bearer(token) })
  const text = await answer.body.text()
  return { status: answer.statusCode, headers: answer.headers, text, json: JSON.parse(text) }
}

/** The read calls the stand-in received, Unit's partner endpoints left out. */
export function unitReads (sandbox: Sandbox): Sandbox['calls'] {
  return sandbox.calls.filter((call) => !call.path.startsWith('/partners/'))
}

/** The JSON log lines of one event. */
// any: tests assert on the fields of log lines of many shapes.
export function logged (broker: TestBroker, event: string): any[] {
  return broker.logs.map((line) => JSON.parse(line) as { event?: string })
    .filter((entry) => entry.event === event)
}
