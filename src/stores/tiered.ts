import type { Clock } from '../clock.js'
import type { Log } from '../log.js'
import type { MemoryTokenStore } from './memory.js'
import type { RedisEvents } from './redis-events.js'
import type { RedisTokenStore } from './redis.js'
import type { StoredToken, TokenStore } from './store.js'

/** How often a write to Redis that failed is tried again, per entry. */
const RESAVE_EVERY_MS = 1000

/** The most entries remembered as not written to Redis. */
const MAX_UNSAVED = 10_000

/**
 * How long an entry is served from memory before a hit checks it against
 * Redis: the bound on serving a token whose replacement or invalidation
 * this replica never heard of (news lost on the way).
 */
export const RECHECK_AFTER_MS = 10_000

/**
 * A bounded in-process tier in front of Redis: a hit costs no round trip,
 * and while Redis is down the tokens this process holds keep serving. News
 * from the other replicas (a newer token, a dropped entry) drops the local
 * copy, and after the news channel was lost the whole tier is dropped.
 * News can still be lost without the channel closing (a Cluster moves the
 * subscription to another node), so a hit on an entry not checked for
 * RECHECK_AFTER_MS also reads Redis, after answering, and drops the copy if
 * Redis no longer holds that token. A token whose write to Redis failed is
 * written again, at most once a second, when a hit finds it, unless Redis
 * holds a newer one by then.
 */
export class TieredStore implements TokenStore {
  readonly kind = 'redis'
  readonly #memory: MemoryTokenStore
  readonly #redis: RedisTokenStore
  readonly #clock: Clock
  readonly #marginMs: number
  readonly #log: Log
  /** Entries held here whose write to Redis failed: when each may be tried again. */
  readonly #unsaved = new Map<string, number>()
  /** When each entry held here was last seen to match Redis. */
  readonly #checkedAt = new WeakMap<StoredToken, number>()

  constructor (memory: MemoryTokenStore, redis: RedisTokenStore, events: RedisEvents,
    options: { clock: Clock, marginMs: number, log: Log }) {
    this.#memory = memory
    this.#redis = redis
    this.#clock = options.clock
    this.#marginMs = options.marginMs
    this.#log = options.log
    events.onEvent((event) => {
      if (event.kind === 'minted' || event.kind === 'dropped') {
        this.#memory.delete(event.key, event.fingerprint).then((dropped) => {
          if (dropped) this.#unsaved.delete(event.key)
        }, () => {})
      }
    })
    events.onReset(() => {
      options.log.info({ event: 'memory_tier_cleared' },
        'news from other replicas may have been missed; dropped the in-process tier')
      this.#memory.clear()
      this.#unsaved.clear()
    })
  }

  get redis (): RedisTokenStore {
    return this.#redis
  }

  async get (key: string): Promise<StoredToken | undefined> {
    const local = await this.#memory.get(key)
    if (local !== undefined) {
      if (this.#unsaved.has(key)) this.#saveLate(key, local)
      else this.#recheckIfDue(key, local)
      return { ...local, tier: 'memory' }
    }
    const shared = await this.#redis.get(key)
    if (shared === undefined) return undefined
    const ttlMs = expiresAt(shared) - this.#marginMs - this.#clock.now()
    if (ttlMs > 0) await this.#keep(key, shared, ttlMs)
    return { ...shared, tier: 'redis' }
  }

  /** Holds an entry that matches Redis now. */
  async #keep (key: string, entry: StoredToken, ttlMs: number): Promise<void> {
    this.#checkedAt.set(entry, this.#clock.now())
    await this.#memory.set(key, entry, ttlMs)
  }

  #recheckIfDue (key: string, local: StoredToken): void {
    const now = this.#clock.now()
    if (now - (this.#checkedAt.get(local) ?? 0) < RECHECK_AFTER_MS) return
    this.#checkedAt.set(local, now)
    this.#redis.fingerprintOf(key).then(async (fingerprint) => {
      if (fingerprint === local.fingerprint) return
      // Replaced or dropped elsewhere without news reaching this replica.
      if (await this.#memory.delete(key, local.fingerprint)) {
        this.#log.info({ event: 'memory_entry_stale' },
          'Redis no longer holds the token this process kept; dropped it')
      }
    }, () => {})
  }

  /** Kept here even when Redis fails, so this process still serves what it minted. */
  async set (key: string, entry: StoredToken, ttlMs: number, generation?: number):
  Promise<boolean> {
    let written: boolean
    try {
      written = await this.#redis.set(key, entry, ttlMs, generation)
    } catch (err) {
      await this.#memory.set(key, entry, ttlMs)
      this.#markUnsaved(key)
      throw err
    }
    this.#unsaved.delete(key)
    if (written) await this.#keep(key, entry, ttlMs)
    return written
  }

  #markUnsaved (key: string): void {
    this.#unsaved.delete(key)
    this.#unsaved.set(key, this.#clock.now() + RESAVE_EVERY_MS)
    // Entries the memory tier has let go leave this list last; it stays bounded all the same.
    if (this.#unsaved.size > MAX_UNSAVED) this.#unsaved.delete(this.#unsaved.keys().next().value ?? '')
  }

  /** Another try at a failed write; another replica's newer token wins over this one. */
  #saveLate (key: string, entry: StoredToken): void {
    const now = this.#clock.now()
    if ((this.#unsaved.get(key) ?? 0) > now) return
    this.#markUnsaved(key)
    const ttlMs = expiresAt(entry) - this.#marginMs - now
    if (ttlMs <= 0) {
      this.#unsaved.delete(key)
      return
    }
    this.#redis.restore(key, entry, ttlMs).then(async (written) => {
      this.#unsaved.delete(key)
      if (written) this.#checkedAt.set(entry, this.#clock.now())
      // Redis holds a newer token: the next request reads it from there.
      else await this.#memory.delete(key, entry.fingerprint)
      if (written) {
        this.#log.info({ event: 'token_saved_late' },
          'wrote a token to Redis after its first write failed')
      } else {
        this.#log.info({ event: 'token_superseded' },
          'Redis holds a newer token than the one this process kept; using that one')
      }
    }, (err: unknown) => {
      this.#log.debug({ event: 'store_failed', err }, 'a token is still not written to Redis')
    })
  }

  async delete (key: string, fingerprint?: string): Promise<boolean> {
    const local = await this.#memory.delete(key, fingerprint)
    if (local) this.#unsaved.delete(key)
    const shared = await this.#redis.delete(key, fingerprint)
    return local || shared
  }

  async ping (): Promise<void> {
    await this.#redis.ping()
  }

  async close (): Promise<void> {
    await this.#memory.close()
    await this.#redis.close()
  }
}

function expiresAt (entry: StoredToken): number {
  return entry.issuedAt + entry.lifetimeSeconds * 1000
}
