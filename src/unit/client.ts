import { Agent, errors as undiciErrors, type Dispatcher } from 'undici'
import { BrokerError } from '../errors.js'
import {
  checkErrorAnswer, checkMintAnswer, checkOrgsAnswer, type UnitErrorDocument
} from './schemas.js'

export interface Org {
  orgId: string
  orgName: string
}

export interface MintRequest {
  orgId: string
  /** Canonical scope set. */
  scopes: readonly string[]
  sourceIps: readonly string[]
  expiresInSeconds: number
}

export interface MintedToken {
  token: string
  /** The lifetime Unit granted, which may be shorter than asked. */
  expiresInSeconds: number
}

export interface UnitClientOptions {
  baseUrl: URL
  /** Read at every call, so a rotated partner token takes effect at once. */
  partnerToken: () => string
  timeoutMs: number
  dispatcher?: Dispatcher
}

export interface CallOptions {
  /** Less time than the client's own timeout, for a call that must end sooner. */
  timeoutMs?: number
}

/** The partner token's standing at the last answer from Unit. */
export type PartnerTokenState = 'unknown' | 'accepted' | 'rejected'

interface UnitRequest {
  method: 'GET' | 'POST'
  path: string
  body: unknown
  expected: readonly number[]
  timeoutMs: number
}

const MAX_ANSWER_BYTES = 1024 * 1024
const JSON_API = 'application/vnd.api+json'

/**
 * Unit's partner API. This is the only module that sees the partner token;
 * every failure leaves it as a BrokerError with the contract's code, and none
 * of those carries a token or Unit's raw answer.
 */
export class UnitClient {
  partnerTokenState: PartnerTokenState = 'unknown'
  readonly #options: UnitClientOptions
  readonly #dispatcher: Dispatcher
  readonly #basePath: string

  /** A new partner token has not been tried yet: what Unit thought of the old one is moot. */
  partnerTokenChanged (): void {
    this.partnerTokenState = 'unknown'
  }

  constructor (options: UnitClientOptions) {
    this.#options = options
    this.#dispatcher = options.dispatcher ?? new Agent({
      connections: 32,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs
    })
    this.#basePath = options.baseUrl.pathname.replace(/\/+$/, '')
  }

  async listOrgs (options: CallOptions = {}): Promise<Org[]> {
    const answer = await this.#call('GET', '/partners/orgs', undefined, [200], options)
    if (!checkOrgsAnswer.Check(answer)) throw malformed('org list')
    return answer.data.map(({ attributes }) => ({
      orgId: attributes.orgId, orgName: attributes.orgName
    }))
  }

  async mintOnBehalfToken (request: MintRequest, options: CallOptions = {}):
  Promise<MintedToken> {
    const attributes: Record<string, unknown> = {
      orgId: request.orgId,
      scopes: request.scopes.join(' '),
      expiresIn: request.expiresInSeconds
    }
    if (request.sourceIps.length > 0) attributes.sourceIp = request.sourceIps.join(',')
    const body = { data: { type: 'createOnBehalfToken', attributes } }

    // Unit documents 201; a 200 with a token in it is a token all the same.
    const answer = await this.#call('POST', '/partners/token', body, [201, 200], options)
    if (!checkMintAnswer.Check(answer)) throw malformed('token answer')
    const { token, expiresIn } = answer.data.attributes
    return { token, expiresInSeconds: expiresIn }
  }

  async close (): Promise<void> {
    if (this.#options.dispatcher === undefined) await this.#dispatcher.close()
  }

  /**
   * One call to Unit. A 401 to a partner token that was replaced while the
   * call ran is tried once more with the new one, so a rotation fails nothing.
   */
  async #call (method: 'GET' | 'POST', path: string, body: unknown, expected: readonly number[],
    options: CallOptions): Promise<unknown> {
    const used = this.#options.partnerToken()
    const timeoutMs = Math.min(options.timeoutMs ?? Infinity, this.#options.timeoutMs)
    const request = { method, path, body, expected, timeoutMs }
    try {
      return await this.#attempt(request, used)
    } catch (err) {
      const replaced = this.#options.partnerToken() !== used
      if (!replaced || (err as BrokerError).code !== 'partner_credential_rejected') throw err
      return await this.#attempt(request, this.#options.partnerToken())
    }
  }

  async #attempt ({ method, path, body, expected, timeoutMs }: UnitRequest, partnerToken: string):
  Promise<unknown> {
    const url = new URL(this.#basePath + path, this.#options.baseUrl)
    const headers: Record<string, string> = {
      authorization: `Bearer ${partnerToken}`,
      accept: JSON_API
    }
    if (body !== undefined) headers['content-type'] = JSON_API

    try {
      const answer = await this.#dispatcher.request({
        origin: url.origin,
        path: url.pathname,
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs)
      })
      const text = await readLimited(answer.body)
      this.#judgePartnerToken(answer.statusCode, expected, partnerToken)
      if (expected.includes(answer.statusCode)) return parseJson(text)
      throw unitRefusal(answer.statusCode, parseJson(text), answer.headers['retry-after'])
    } catch (err) {
      throw toBrokerError(err, timeoutMs)
    }
  }

  /** Only an answer to the partner token now in use says anything about it. */
  #judgePartnerToken (status: number, expected: readonly number[], partnerToken: string): void {
    if (partnerToken !== this.#options.partnerToken()) return
    if (status === 401) this.partnerTokenState = 'rejected'
    else if (expected.includes(status)) this.partnerTokenState = 'accepted'
  }
}

async function readLimited (body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    size += (chunk as Buffer).length
    if (size > MAX_ANSWER_BYTES) {
      body.destroy()
      throw malformed('answer over 1 MiB')
    }
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function parseJson (text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function malformed (what: string): BrokerError {
  return new BrokerError('upstream_unavailable',
    `Unit answered with a malformed ${what}.`, { logContext: { upstream: 'malformed' } })
}

/** Maps an answer other than the expected one to the contract's errors. */
function unitRefusal (status: number, answer: unknown, retryAfter: unknown): BrokerError {
  const unitCodes = checkErrorAnswer.Check(answer) ? describeErrors(answer) : ''
  const logContext = { unitStatus: status, unitErrors: unitCodes }
  const said = unitCodes === '' ? '' : ` (${unitCodes})`
  if (status === 401) {
    return new BrokerError('partner_credential_rejected',
      'Unit rejected the partner token; the operator must renew it.', { logContext })
  }
  if (status === 408 || status === 429 || status >= 500 || status < 400) {
    return new BrokerError('upstream_unavailable', `Unit answered ${status}${said}.`,
      { logContext, retryAfterSeconds: parseRetryAfter(retryAfter) })
  }
  return new BrokerError('upstream_rejected', `Unit refused the request with ${status}${said}.`,
    { logContext })
}

/** Unit's error codes and titles, trimmed to safe characters. */
function describeErrors (answer: UnitErrorDocument): string {
  return answer.errors.slice(0, 5)
    .map((error) => (error.code ?? error.title ?? '').replace(/[^\w .,-]/g, '').slice(0, 80))
    .filter((text) => text !== '')
    .join(', ')
}

/** `Retry-After` in seconds, from either of its forms; bounded to an hour. */
export function parseRetryAfter (value: unknown, now = Date.now()): number | undefined {
  if (typeof value !== 'string') return undefined
  const seconds = /^\d+$/.test(value.trim())
    ? Number(value.trim())
    : Math.ceil((Date.parse(value) - now) / 1000)
  if (!Number.isFinite(seconds)) return undefined
  return Math.min(Math.max(seconds, 0), 3600)
}

function toBrokerError (err: unknown, timeoutMs: number): BrokerError {
  if (err instanceof BrokerError) return err
  const name = (err as Error | undefined)?.name
  if (name === 'TimeoutError' || err instanceof undiciErrors.HeadersTimeoutError ||
    err instanceof undiciErrors.BodyTimeoutError) {
    return new BrokerError('upstream_timeout', `Unit did not answer within ${timeoutMs} ms.`,
      { cause: err })
  }
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  return new BrokerError('upstream_unavailable', 'Unit could not be reached.',
    { cause: err, logContext: { upstream: code ?? name ?? 'error' } })
}
