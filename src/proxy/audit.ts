import type { FastifyRequest } from 'fastify'
import { isBrokerError } from '../errors.js'

export interface ReadEvents {
  /** One read through the broker, by its row of the read table and the status answered. */
  unitRead (resource: string, statusCode: number): void
}

/** What the audit line of one read says; the log line names the caller already. */
export interface ReadRecord {
  orgId: string
  /** The row of the read table, once the path matched one. */
  resource?: string | undefined
  status: number
  /** Keyed hash of the token that read Unit: the token itself is never logged. */
  fingerprint?: string
  /** Unit refused the cached token and a new one read it. */
  retried?: boolean
  /** The error code, when the broker answered instead of Unit. */
  reason?: string
  /** The answer broke off after it had started. */
  cut?: boolean
}

/** One audit line per read, and the count by resource and status. */
export function recordRead (request: FastifyRequest, events: ReadEvents | undefined,
  record: ReadRecord): void {
  const line = { event: 'unit_read', method: request.method, ...record }
  if (record.cut === true) request.log.warn(line, 'Unit\'s answer broke off midway')
  else if (record.reason !== undefined) request.log.info(line, 'refused a read of Unit')
  else request.log.info(line, 'read Unit for a caller')
  if (record.resource !== undefined) events?.unitRead(record.resource, record.status)
}

/** The status and code the caller gets for a read the broker refused or could not do. */
export function refusal (err: unknown): { status: number, reason: string } {
  if (isBrokerError(err)) return { status: err.status, reason: err.code }
  const status = (err as { statusCode?: number }).statusCode
  return status !== undefined && status >= 400 && status < 500
    ? { status: 400, reason: 'invalid_request' }
    : { status: 500, reason: 'internal_error' }
}
