/** One cached on-behalf token, as the stores keep it. */
export interface StoredToken {
  token: string
  /** A digest of the token, to compare it without reading it back. */
  fingerprint: string
  /** When the mint request was sent, in ms since the epoch. */
  issuedAt: number
  /** The lifetime Unit granted, in seconds. */
  lifetimeSeconds: number
}

/**
 * Where minted tokens are kept, keyed by the digest of their mint inputs.
 * Entries expire by themselves after the time-to-live they were set with.
 */
export interface TokenStore {
  readonly kind: 'memory' | 'redis'
  get (key: string): Promise<StoredToken | undefined>
  set (key: string, entry: StoredToken, ttlMs: number): Promise<void>
  /** Drops the entry; with a fingerprint, only while it still holds that token. */
  delete (key: string, fingerprint?: string): Promise<boolean>
  /** Resolves when the store answers. */
  ping (): Promise<void>
  close (): Promise<void>
}
