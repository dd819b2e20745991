/** Read scopes Unit documents; write scopes (`-write`) never reach a partner. */
export const KNOWN_READ_SCOPES: readonly string[] = [
  'applications', 'customers', 'accounts', 'cards', 'cards-sensitive', 'transactions',
  'payments', 'counterparties', 'events', 'webhooks', 'authorization-requests',
  'authorizations', 'statements', 'batch-releases', 'check-deposits', 'check-payments',
  'received-payments', 'chargebacks', 'rewards', 'repayments', 'wire-drawdowns'
]

/** The scopes partners usually read, and the broker's default allowance. */
export const DEFAULT_ALLOWED_SCOPES: readonly string[] = [
  'customers', 'accounts', 'cards', 'transactions', 'authorizations', 'statements',
  'payments', 'counterparties', 'events', 'check-deposits', 'received-payments'
]

export const SCOPE_PATTERN = '^[a-z][a-z-]{0,63}$'

export function isWriteScope (scope: string): boolean {
  return scope.endsWith('-write') || scope.includes('-write-')
}

/**
 * The canonical scope set of a request: unique and sorted, so that every
 * spelling of one set names one cache entry. A string is split the way Unit
 * writes scopes, on spaces.
 */
export function canonicalScopes (scopes: string | readonly string[]): string[] {
  const list = typeof scopes === 'string' ? scopes.split(' ') : scopes
  return [...new Set(list.filter((scope) => scope !== ''))].sort()
}

/** Says what is wrong with a canonical scope set, or nothing when it may be minted. */
export function checkScopes (scopes: readonly string[], allowed: ReadonlySet<string>):
string | undefined {
  if (scopes.length === 0) return 'scopes must name at least one scope'

  const pattern = new RegExp(SCOPE_PATTERN)
  for (const scope of scopes) {
    if (!pattern.test(scope)) return `scope ${JSON.stringify(scope)} is not a scope name`
    if (isWriteScope(scope)) {
      return `scope '${scope}' is a write scope; on-behalf tokens are read only`
    }
    if (!allowed.has(scope)) return `scope '${scope}' is not among the allowed scopes`
  }
  return undefined
}
