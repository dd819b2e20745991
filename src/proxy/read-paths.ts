/**
 * The Unit read endpoints the broker forwards, and the scope each needs.
 * This table is the whole allow list: a path that matches no row never
 * reaches Unit. A `{name}` segment is one id. Unit has no
 * `/transactions/{id}`: a transaction is read under its account.
 */
export const READ_PATHS = [
  { path: '/customers', scope: 'customers' },
  { path: '/customers/{customerId}', scope: 'customers' },
  { path: '/accounts', scope: 'accounts' },
  { path: '/accounts/{accountId}', scope: 'accounts' },
  { path: '/accounts/{accountId}/transactions/{transactionId}', scope: 'transactions' },
  { path: '/cards', scope: 'cards' },
  { path: '/cards/{cardId}', scope: 'cards' },
  { path: '/transactions', scope: 'transactions' },
  { path: '/authorizations', scope: 'authorizations' },
  { path: '/authorizations/{authorizationId}', scope: 'authorizations' },
  { path: '/statements', scope: 'statements' },
  { path: '/payments', scope: 'payments' },
  { path: '/payments/{paymentId}', scope: 'payments' },
  { path: '/counterparties', scope: 'counterparties' },
  { path: '/counterparties/{counterpartyId}', scope: 'counterparties' },
  { path: '/events', scope: 'events' },
  { path: '/events/{eventId}', scope: 'events' }
] as const satisfies ReadonlyArray<{ path: string, scope: string }>

export type ReadPath = typeof READ_PATHS[number]

/** What one id segment may hold: Unit's ids are digits; nothing here can encode or climb. */
export const ID_SEGMENT = /^[A-Za-z0-9_-]{1,64}$/

/** The row whose path the segments fill, if any. */
export function matchReadPath (segments: readonly string[]): ReadPath | undefined {
  return READ_PATHS.find(({ path }) => {
    const pattern = path.slice(1).split('/')
    return pattern.length === segments.length &&
      pattern.every((part, index) => part.startsWith('{') || part === segments[index])
  })
}
