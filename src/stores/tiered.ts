import type { Clock } from '../clock.js'
import type { Log } from '../log.js'
import type { MemoryTokenStore } from './memory.js'
import type { RedisEvents } from './redis-events.js'
import type { RedisTokenStore } from './redis.js'
import type { StoredToken, TokenStore } from './store.js'

/**
 * A bounded in-process tier in front of Redis: a hit costs no round trip,
 * and while Redis is down the tokens this process holds keep serving. News
 * from the other replicas (a newer token, a dropped entry) drops the local
 * copy, and once a lost connection to Redis is back the whole tier is
 * dropped: it may hold what other replicas replaced, or what never reached
 * Redis.
 */
export class TieredStore implements TokenStore {
  readonly kind = 'redis'
  readonly #memory: MemoryTokenStore
  readonly #redis: RedisTokenStore
  readonly #clock: Clock
  readonly #marginMs: number

  constructor (memory: MemoryTokenStore, redis: RedisTokenStore, events: RedisEvents,
    options: { clock: Clock, marginMs: number, log: Log }) {
    this.#memory = memory
    this.#redis = redis
    this.#clock = options.clock
    this.#marginMs = options.marginMs
    events.onEvent((event) => {
      if (event.kind === 'minted' || event.kind === 'dropped') {
        this.#memory.delete(event.key, event.fingerprint).catch(() => {})
      }
    })
    events.onReset(() => {
      options.log.info({ event: 'memory_tier_cleared' }, 'a Redis connection came back: ' +
        'news may have been missed or writes lost meanwhile; dropped the in-process tier')
      this.#memory.clear()
    })
  }

  get redis (): RedisTokenStore {
    return this.#redis
  }

  async get (key: string): Promise<StoredToken | undefined> {
    const local = await this.#memory.get(key)
    if (local !== undefined) return { ...local, tier: 'memory' }
    const shared = await this.#redis.get(key)
    if (shared === undefined) return undefined
    const ttlMs = expiresAt(shared) - this.#marginMs - this.#clock.now()
    if (ttlMs > 0) await this.#memory.set(key, shared, ttlMs)
    return { ...shared, tier: 'redis' }
  }

  /** Kept here even when Redis fails, so this process still serves what it minted. */
  async set (key: string, entry: StoredToken, ttlMs: number, generation?: number):
  Promise<boolean> {
    let written: boolean
    try {
      written = await this.#redis.set(key, entry, ttlMs, generation)
    } catch (err) {
      await this.#memory.set(key, entry, ttlMs)
      throw err
    }
    if (written) await this.#memory.set(key, entry, ttlMs)
    return written
  }

  async delete (key: string, fingerprint?: string): Promise<boolean> {
    const local = await this.#memory.delete(key, fingerprint)
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
