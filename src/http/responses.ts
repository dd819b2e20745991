import { ERROR_CODES, type ErrorCode } from '../errors.js'
import { PROBLEM_MEDIA_TYPE, problem } from './problem.js'
import { Problem } from './schemas.js'

/** What a caller reads in each problem's `detail`, shown in the API document. */
const EXAMPLE_DETAILS: Record<ErrorCode, string> = {
  invalid_request: 'body/minTtlSeconds must be integer',
  unauthorized: 'A valid caller key is required: Authorization: Bearer <key>.',
  forbidden: 'This caller may not have tokens for that org.',
  not_found: 'There is no GET route at this path.',
  org_not_shared: 'The org is not shared with the partner.',
  method_not_allowed: 'The broker forwards Unit reads only: GET and HEAD.',
  payload_too_large: 'The request body is too large.',
  unsupported_media_type: 'Send the request body as application/json.',
  rate_limited: 'Too many requests from this caller: at most 600 a minute.',
  internal_error: 'The broker failed to handle the request.',
  upstream_rejected: 'Unit refused the request with 403 (forbidden).',
  partner_credential_rejected: 'Unit rejected the partner token; the operator must renew it.',
  upstream_unavailable: 'Unit answered 500.',
  store_unavailable: 'The token store did not answer.',
  upstream_timeout: 'Unit did not answer within 5000 ms.'
}

/** Every route that reads a JSON body can answer these. */
export const BODY_PROBLEMS: ErrorCode[] = [
  'invalid_request', 'payload_too_large', 'unsupported_media_type', 'internal_error'
]

/** Every route that takes a caller key can answer these. */
export const CALLER_PROBLEMS: ErrorCode[] = ['unauthorized', 'rate_limited']

/** The security requirement of a route that takes a caller key. */
export const CALLER_KEY = [{ callerKey: [] }]

/** Every call that reaches Unit can fail in these ways. */
export const UNIT_PROBLEMS: ErrorCode[] = [
  'upstream_rejected', 'partner_credential_rejected', 'upstream_unavailable', 'upstream_timeout'
]

/** The problem schema, shared by every problem answer as one named component. */
export const ProblemComponent = { ...Problem, $id: 'Problem' }
const PROBLEM_REF = { $ref: 'Problem#' }

/** Rate limits, Unit failing, and calls held back by a breaker or a rejected partner token. */
const RETRY_AFTER_STATUSES = new Set([429, 502, 503, 504])

const RETRY_AFTER = {
  'retry-after': {
    type: 'integer',
    description: 'Seconds after which a retry may succeed.'
  }
}

/**
 * Fastify response schemas for problem answers, one per status, each naming
 * its codes and carrying an example of each. Fastify serializes with them and
 * @fastify/swagger turns them into the API document, so the two cannot drift.
 */
export function problemResponses (...codes: ErrorCode[]): Record<number, object> {
  const byStatus = new Map<number, ErrorCode[]>()
  for (const code of new Set(codes)) {
    const { status } = ERROR_CODES[code]
    byStatus.set(status, [...(byStatus.get(status) ?? []), code])
  }
  return Object.fromEntries([...byStatus].map(([status, group]) => [status, {
    description: group.map((code) => `\`${code}\`: ${ERROR_CODES[code].title}`).join('; '),
    ...(RETRY_AFTER_STATUSES.has(status) ? { headers: RETRY_AFTER } : {}),
    content: { [PROBLEM_MEDIA_TYPE]: { schema: PROBLEM_REF, examples: examplesOf(group) } }
  }]))
}

function examplesOf (codes: ErrorCode[]): Record<string, { summary: string, value: object }> {
  return Object.fromEntries(codes.map((code) => [code, {
    summary: ERROR_CODES[code].title,
    value: code === 'invalid_request'
      ? problem(code, EXAMPLE_DETAILS[code],
        [{ pointer: '/minTtlSeconds', detail: 'must be integer' }])
      : problem(code, EXAMPLE_DETAILS[code])
  }]))
}
