import type { Clock } from '../clock.js'
import type { StoredToken, TokenStore } from './store.js'

const SWEEP_EVERY_SETS = 1024

/**
 * Tokens in this process only: not shared between replicas and gone on
 * restart. The default when no Redis is configured.
 */
export class MemoryTokenStore implements TokenStore {
  readonly kind = 'memory'
  readonly #entries = new Map<string, { entry: StoredToken, expiresAt: number }>()
  readonly #clock: Clock
  #setsSinceSweep = 0

  constructor (clock: Clock) {
    this.#clock = clock
  }

  async get (key: string): Promise<StoredToken | undefined> {
    const held = this.#entries.get(key)
    if (held === undefined) return undefined
    if (held.expiresAt <= this.#clock.now()) {
      this.#entries.delete(key)
      return undefined
    }
    return held.entry
  }

  async set (key: string, entry: StoredToken, ttlMs: number): Promise<void> {
    this.#entries.set(key, { entry, expiresAt: this.#clock.now() + ttlMs })
    if (++this.#setsSinceSweep >= SWEEP_EVERY_SETS) this.#sweep()
  }

  async delete (key: string, fingerprint?: string): Promise<boolean> {
    const held = this.#entries.get(key)
    if (held === undefined) return false
    if (fingerprint !== undefined && held.entry.fingerprint !== fingerprint) return false
    return this.#entries.delete(key)
  }

  async ping (): Promise<void> {}

  async close (): Promise<void> {
    this.#entries.clear()
  }

  get size (): number {
    return this.#entries.size
  }

  #sweep (): void {
    this.#setsSinceSweep = 0
    const now = this.#clock.now()
    for (const [key, held] of this.#entries) {
      if (held.expiresAt <= now) this.#entries.delete(key)
    }
  }
}
