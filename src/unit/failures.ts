import { BrokerError, isBrokerError } from '../errors.js'

/**
 * How a call to Unit ended, as retries and breakers see it:
 * - `answered`: Unit answered as asked, or refused the request itself (a 4xx
 *   other than 401, 408 and 429): Unit works, and asking again gives the same;
 * - `rejected`: Unit answered 401 to the partner token;
 * - `limited`: Unit answered 429; its limit covers all of the partner's calls;
 * - `failed`: a 5xx, a 408, a network error, a timeout or a malformed answer.
 */
export type Outcome =
  | { kind: 'answered', success: boolean }
  | { kind: 'rejected' }
  | { kind: 'limited', retryAfterMs: number | undefined }
  | { kind: 'failed', retryable: boolean, retryAfterMs: number | undefined }

export function outcomeOf (err: unknown): Outcome {
  if (!isBrokerError(err)) return { kind: 'failed', retryable: false, retryAfterMs: undefined }
  const retryAfterMs = err.retryAfterSeconds === undefined
    ? undefined
    : err.retryAfterSeconds * 1000
  switch (err.code) {
    case 'partner_credential_rejected':
      return { kind: 'rejected' }
    case 'upstream_rejected':
      return { kind: 'answered', success: false }
    case 'upstream_unavailable':
      return unavailable(err, retryAfterMs)
    default:
      // A timeout used the request's whole time: there is none left to retry in.
      return { kind: 'failed', retryable: false, retryAfterMs }
  }
}

/** Unit's guidance: retry 5xx, 408 and 429 only; network errors are as likely to pass. */
export function mayRetry (outcome: Outcome):
outcome is Extract<Outcome, { kind: 'limited' | 'failed' }> {
  return outcome.kind === 'limited' || (outcome.kind === 'failed' && outcome.retryable)
}

/**
 * The client says what Unit did in the error's log context: the status it
 * answered, or `upstream: 'malformed'` for an answer without the expected
 * document. Anything else is a network error.
 */
function unavailable (err: BrokerError, retryAfterMs: number | undefined): Outcome {
  const status = err.logContext?.unitStatus
  if (status === 429) return { kind: 'limited', retryAfterMs }
  if (typeof status === 'number') {
    return { kind: 'failed', retryable: status === 408 || status >= 500, retryAfterMs }
  }
  const malformed = err.logContext?.upstream === 'malformed'
  return { kind: 'failed', retryable: !malformed, retryAfterMs }
}

/** Whole seconds for Retry-After, at least 1 so that no caller comes straight back. */
export function retryAfterSeconds (ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000))
}

/** A call the breakers held back: Unit was not asked. */
export function heldByBreaker (blockedMs: number, breaker: 'unit' | 'org', orgId?: string):
BrokerError {
  const detail = breaker === 'unit'
    ? 'Unit is failing; the broker is not calling it for a while.'
    : 'Unit is failing for this org; the broker is not calling it for a while.'
  return new BrokerError('upstream_unavailable', detail, {
    retryAfterSeconds: retryAfterSeconds(blockedMs),
    logContext: { breaker, ...(orgId === undefined ? {} : { orgId }), heldForMs: blockedMs }
  })
}

/** A call held back while Unit rejects the partner token: Unit was not asked. */
export function heldByPartnerGate (blockedMs: number): BrokerError {
  return new BrokerError('partner_credential_rejected',
    'Unit rejected the partner token; the operator must renew it.', {
      retryAfterSeconds: retryAfterSeconds(blockedMs),
      logContext: { partnerToken: 'rejected', heldForMs: blockedMs }
    })
}

/** The same error, now telling the caller when the broker will ask Unit again. */
export function withRetryAfter (err: unknown, blockedMs: number): unknown {
  if (!isBrokerError(err) || err.retryAfterSeconds !== undefined || blockedMs <= 0) return err
  return new BrokerError(err.code, err.message, {
    retryAfterSeconds: retryAfterSeconds(blockedMs),
    logContext: err.logContext,
    cause: err.cause
  })
}
