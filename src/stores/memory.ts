import type { Clock } from '../clock.js'
import type { StoredToken, TokenStore } from './store.js'

const SWEEP_EVERY_SETS = 1024

/**
 * Tokens in this process only: the default store when no Redis is
 * configured, and the tier in front of Redis when one is. It holds at most
 * `maxEntries`, dropping the least recently used first, and never gives an
 * entry past the time-to-live it was set with.
 */
export class MemoryTokenStore implements TokenStore {
  readonly kind = 'memory'
  // A Map iterates in insertion order; moving a used entry to the end makes the first the coldest.
  readonly #entries = new Map<string, { entry: StoredToken, expiresAt: number }>()
  readonly #clock: Clock
  readonly #maxEntries: number
  #setsSinceSweep = 0

  constructor (clock: Clock, maxEntries = Number.POSITIVE_INFINITY) {
    this.#clock = clock
    this.#maxEntries = maxEntries
  }

  async get (key: string): Promise<StoredToken | undefined> {
    const held = this.#entries.get(key)
    if (held === undefined) return undefined
    this.#entries.delete(key)
    if (held.expiresAt <= this.#clock.now()) return undefined
    this.#entries.set(key, held)
    return held.entry
  }

  async set (key: string, entry: StoredToken, ttlMs: number): Promise<boolean> {
    this.#entries.delete(key)
    this.#entries.set(key, { entry, expiresAt: this.#clock.now() + ttlMs })
    if (this.#entries.size > this.#maxEntries) this.#dropColdest()
    if (++this.#setsSinceSweep >= SWEEP_EVERY_SETS) this.#sweep()
    return true
  }

  async delete (key: string, fingerprint?: string): Promise<boolean> {
    const held = this.#entries.get(key)
    if (held === undefined) return false
    if (fingerprint !== undefined && held.entry.fingerprint !== fingerprint) return false
    return this.#entries.delete(key)
  }

  /** Forgets every entry, for when news of changes elsewhere may have been missed. */
  clear (): void {
    this.#entries.clear()
  }

  async ping (): Promise<void> {}

  async close (): Promise<void> {
    this.#entries.clear()
  }

  get size (): number {
    return this.#entries.size
  }

  #dropColdest (): void {
    const coldest = this.#entries.keys().next()
    if (coldest.done !== true) this.#entries.delete(coldest.value)
  }

  #sweep (): void {
    this.#setsSinceSweep = 0
    const now = this.#clock.now()
    for (const [key, held] of this.#entries) {
      if (held.expiresAt <= now) this.#entries.delete(key)
    }
  }
}
