import { BrokerError } from '../errors.js'

/** What one calling service may ask for. */
export interface CallerPolicy {
  /** The orgs it may have tokens for, or every org shared with the partner. */
  orgs: '*' | ReadonlySet<string>
  scopes: ReadonlySet<string>
  /** The most `minTtlSeconds` it may ask; undefined: the broker's own limit. */
  maxMinTtlSeconds: number | undefined
  /** The addresses its tokens are bound to; undefined: UNIT_SOURCE_IPS. */
  sourceIps: readonly string[] | undefined
  /** Requests a minute it may make; undefined: the broker's default. */
  requestsPerMinute: number | undefined
}

export interface Caller {
  name: string
  /** SHA-256 of its key. */
  keyHash: Buffer
  policy: CallerPolicy
}

export interface TokenAsk {
  orgId: string
  /** Canonical scope set. */
  scopes: readonly string[]
  minTtlSeconds?: number | undefined
}

export function mayUseOrg (policy: CallerPolicy, orgId: string): boolean {
  return policy.orgs === '*' || policy.orgs.has(orgId)
}

/** Refuses, before anything reaches Unit, what lies outside the caller's policy. */
export function checkPolicy (caller: Caller, ask: TokenAsk): void {
  const { policy } = caller
  if (!mayUseOrg(policy, ask.orgId)) {
    throw forbidden('org', 'This caller may not have tokens for that org.')
  }
  const outside = ask.scopes.filter((scope) => !policy.scopes.has(scope))
  if (outside.length > 0) {
    throw forbidden('scope',
      `This caller may not have tokens with the scopes ${outside.join(', ')}.`)
  }
  const max = policy.maxMinTtlSeconds
  if (max !== undefined && (ask.minTtlSeconds ?? 0) > max) {
    throw forbidden('min_ttl', `This caller may ask for at most ${max} s of minTtlSeconds.`)
  }
}

function forbidden (rule: string, detail: string): BrokerError {
  // The request's log lines name the caller already.
  return new BrokerError('forbidden', detail, { logContext: { rule } })
}
