import type { IncomingHttpHeaders } from 'node:http'
import type { Writable } from 'node:stream'
import { Agent, errors as undiciErrors, type Dispatcher } from 'undici'
import { BrokerError } from '../errors.js'

export interface UnitReaderOptions {
  /** Unit's base URL: the only origin this reader ever calls. */
  baseUrl: URL
  /** Time allowed for Unit's headers, and for each pause in its body. */
  timeoutMs: number
}

export interface UnitRead {
  method: 'GET' | 'HEAD'
  /** A path from the read table, with the caller's query string. */
  pathAndQuery: string
  /** The on-behalf token that reads it. */
  token: string
  signal: AbortSignal
}

/** Unit's status and headers; the writable it returns receives the body as it arrives. */
export type AnswerSink = (status: number, headers: IncomingHttpHeaders) => Writable

/**
 * Reads Unit's read endpoints with on-behalf tokens. Nothing of the caller's
 * request reaches Unit but the checked path and query: the headers are made
 * here, the origin is fixed. The body is never held whole; undici writes
 * each chunk into the sink as it comes, at the pace the sink drains.
 */
export class UnitReader {
  readonly #origin: string
  readonly #basePath: string
  readonly #timeoutMs: number
  readonly #agent: Dispatcher

  constructor (options: UnitReaderOptions) {
    this.#origin = options.baseUrl.origin
    this.#basePath = options.baseUrl.pathname.replace(/\/+$/, '')
    this.#timeoutMs = options.timeoutMs
    this.#agent = new Agent({
      connections: 32,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs
    })
  }

  /** Resolves once the whole body was written into the sink. */
  async read (read: UnitRead, sink: AnswerSink): Promise<void> {
    try {
      await this.#agent.stream({
        origin: this.#origin,
        path: this.#basePath + read.pathAndQuery,
        method: read.method,
        headers: { authorization: `Bearer ${read.token}`, accept: 'application/vnd.api+json' },
        signal: read.signal
      }, ({ statusCode, headers }) => sink(statusCode, headers))
    } catch (err) {
      throw toBrokerError(err, this.#timeoutMs)
    }
  }

  async close (): Promise<void> {
    await this.#agent.close()
  }
}

function toBrokerError (err: unknown, timeoutMs: number): BrokerError {
  if (err instanceof BrokerError) return err
  if (err instanceof undiciErrors.HeadersTimeoutError ||
    err instanceof undiciErrors.BodyTimeoutError) {
    return new BrokerError('upstream_timeout', `Unit did not answer within ${timeoutMs} ms.`,
      { cause: err })
  }
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  const name = (err as Error | undefined)?.name
  return new BrokerError('upstream_unavailable', 'Unit could not be reached.',
    { cause: err, logContext: { upstream: code ?? name ?? 'error' } })
}
