/** One cached on-behalf token, as the stores keep it. */
export interface StoredToken {
  token: string
  /** A digest of the token, to compare it without reading it back. */
  fingerprint: string
  /** When the mint request was sent, in ms since the epoch. */
  issuedAt: number
  /** The lifetime Unit granted, in seconds. */
  lifetimeSeconds: number
  /** Which tier a read found the entry in; never stored. */
  tier?: 'memory' | 'redis'
}

/**
 * Where minted tokens are kept, keyed by the digest of their mint inputs.
 * Entries expire by themselves after the time-to-live they were set with.
 */
export interface TokenStore {
  readonly kind: 'memory' | 'redis'
  get (key: string): Promise<StoredToken | undefined>
  /**
   * Keeps an entry. With a generation (from a mint lock), the write happens
   * only while no later lock was taken for the key; gives whether it was kept.
   */
  set (key: string, entry: StoredToken, ttlMs: number, generation?: number): Promise<boolean>
  /** Drops the entry; with a fingerprint, only while it still holds that token. */
  delete (key: string, fingerprint?: string): Promise<boolean>
  /** Resolves when the store answers. */
  ping (): Promise<void>
  close (): Promise<void>
}

/** The right to mint one entry, held by one process of the fleet at a time. */
export interface MintLock {
  /** Fences the write of what this holder mints. */
  generation: number
  /** Keeps the lock while its holder still works; gives false once it is lost. */
  extend (): Promise<boolean>
  release (): Promise<void>
}

/** What a process waiting on another's mint learns. */
export type MintNews =
  | { kind: 'minted' }
  | { kind: 'failed', code: string }
  | { kind: 'timeout' }

/**
 * Coordinates mints across the replicas sharing a store, so that one of
 * them calls Unit for an entry and the others wait for its result.
 */
export interface MintCoordinator {
  /** The lock, or how long its current holder may still hold it. */
  tryLock (key: string): Promise<MintLock | { heldForMs: number }>
  /**
   * Starts listening for news of the key; `wait` resolves with the first
   * news after `listen`, or a timeout. Listening first means no news is lost
   * between a failed lock and the wait.
   */
  listen (key: string): { wait (timeoutMs: number): Promise<MintNews>, stop (): void }
  /** Tells the waiters that the mint failed, so they fail alike rather than retry. */
  announceFailure (key: string, code: string): Promise<void>
}
