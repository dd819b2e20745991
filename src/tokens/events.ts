import type { ErrorCode } from '../errors.js'
import type { CacheOutcome } from './token-service.js'

/** Where a cache lookup was answered from. */
export type CacheTier = 'memory' | 'redis'

/** Why a mint ran: no entry, an entry with too little life, or a background renewal. */
export type MintReason = 'miss' | 'stale' | 'renewal'

/** `ok`, or the contract's code of the failure (`error` when it had none). */
export type MintOutcome = 'ok' | ErrorCode | 'error'

export interface LookupEvent {
  orgId: string
  outcome: CacheOutcome
  tier: CacheTier
}

export interface MintEvent {
  orgId: string
  reason: MintReason
  outcome: MintOutcome
}

export interface ServedEvent {
  orgId: string
  /** Whole seconds of life the token had when it was handed out. */
  remainingSeconds: number
}

export interface RenewedEvent {
  /** Seconds the replaced token still had to live when its renewal was stored. */
  leadSeconds: number
}

/** How a wait on another replica's mint ended. */
export type LockWaitOutcome = 'minted' | 'failed' | 'took_over'

export interface LockWaitEvent {
  outcome: LockWaitOutcome
  seconds: number
}

/**
 * What the token logic reports as it works, for whoever watches (metrics).
 * Every method is optional, so a watcher takes only what it needs and new
 * events can be added without touching the watchers. A method must not throw
 * and must return at once: it runs inside the request.
 */
export interface TokenEvents {
  lookup?: (event: LookupEvent) => void
  mint?: (event: MintEvent) => void
  served?: (event: ServedEvent) => void
  renewed?: (event: RenewedEvent) => void
  lockWaited?: (event: LockWaitEvent) => void
}
