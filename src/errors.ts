/**
 * The error codes of the HTTP contract. Every answer that is not a success
 * carries one of these codes; the README lists them all and a test keeps the
 * two in step.
 */
export const ERROR_CODES = {
  invalid_request: { status: 400, title: 'Invalid request' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not found' },
  org_not_shared: { status: 404, title: 'Org not shared with the partner' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal_error: { status: 500, title: 'Internal error' },
  upstream_rejected: { status: 502, title: 'Unit rejected the request' },
  partner_credential_rejected: { status: 502, title: 'Unit rejected the partner token' },
  upstream_unavailable: { status: 503, title: 'Unit is unavailable' },
  store_unavailable: { status: 503, title: 'The token store is unavailable' },
  upstream_timeout: { status: 504, title: 'Unit did not answer in time' }
} as const

export type ErrorCode = keyof typeof ERROR_CODES

export interface BrokerErrorOptions {
  /** Seconds after which a retry may succeed; sent as `Retry-After`. */
  retryAfterSeconds?: number
  /** Extra fields for the log line, never for the caller. */
  logContext?: Record<string, unknown>
  cause?: unknown
}

/**
 * An error the broker means to show its caller. The detail is written for the
 * caller and must never hold a secret or an internal message.
 */
export class BrokerError extends Error {
  readonly code: ErrorCode
  readonly status: number
  readonly retryAfterSeconds: number | undefined
  readonly logContext: Record<string, unknown> | undefined

  constructor (code: ErrorCode, detail: string, options: BrokerErrorOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'BrokerError'
    this.code = code
    this.status = ERROR_CODES[code].status
    this.retryAfterSeconds = options.retryAfterSeconds
    this.logContext = options.logContext
  }
}

export function isBrokerError (value: unknown): value is BrokerError {
  return value instanceof BrokerError
}
