import type { Redis } from 'ioredis'
import type { Log } from '../log.js'
import { open, seal, type KeyRing } from '../secrets/sealer.js'
import type { StoredToken, TokenStore } from './store.js'

export interface RedisStoreOptions {
  prefix: string
  /** The encryption keys now in use, or undefined when tokens are stored in the clear. */
  keyRing: () => KeyRing | undefined
  log: Log
}

/** Deletes the entry only while it still holds the given token fingerprint. */
const DELETE_IF_FINGERPRINT = `
if redis.call('HGET', KEYS[1], 'f') == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`

/**
 * Tokens in Redis, shared by every replica. An entry is one hash whose key
 * holds the entry's digest as a hash tag, so all keys of one entry share a
 * cluster slot.
 */
export class RedisTokenStore implements TokenStore {
  readonly kind = 'redis'
  readonly redis: Redis
  readonly #options: RedisStoreOptions

  constructor (redis: Redis, options: RedisStoreOptions) {
    this.redis = redis
    this.#options = options
  }

  keyOf (key: string): string {
    return `${this.#options.prefix}token:{${key}}`
  }

  async get (key: string): Promise<StoredToken | undefined> {
    const redisKey = this.keyOf(key)
    const entry = parseEntry(await this.redis.hgetall(redisKey))
    if (entry === undefined) return undefined
    const ring = this.#options.keyRing()
    if (ring === undefined) return entry

    const token = open(ring, entry.token, redisKey)
    if (token === undefined) {
      this.#options.log.warn({ event: 'token_unreadable' },
        'a cached entry did not open with the encryption keys; treating it as a miss')
      return undefined
    }
    return { ...entry, token }
  }

  async set (key: string, entry: StoredToken, ttlMs: number): Promise<void> {
    const redisKey = this.keyOf(key)
    const ring = this.#options.keyRing()
    const stored = ring === undefined ? entry.token : seal(ring, entry.token, redisKey)
    const results = await this.redis.multi()
      .del(redisKey)
      .hset(redisKey, {
        t: stored,
        f: entry.fingerprint,
        i: String(entry.issuedAt),
        l: String(entry.lifetimeSeconds)
      })
      .pexpire(redisKey, Math.max(1, Math.floor(ttlMs)))
      .exec()
    const failure = results === null ? new Error('transaction aborted') : results.find(([err]) => err)?.[0]
    if (failure) throw failure
  }

  async delete (key: string, fingerprint?: string): Promise<boolean> {
    const redisKey = this.keyOf(key)
    const removed = fingerprint === undefined
      ? await this.redis.del(redisKey)
      : await this.redis.eval(DELETE_IF_FINGERPRINT, 1, redisKey, fingerprint)
    return removed === 1
  }

  async ping (): Promise<void> {
    await this.redis.ping()
  }

  async close (): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect())
  }
}

/** An entry that is not whole is treated as absent, never served. */
function parseEntry (fields: Record<string, string>): StoredToken | undefined {
  const { t: token, f: fingerprint, i: issuedAt, l: lifetime } = fields
  if (token === undefined || fingerprint === undefined) return undefined
  if (!/^\d{1,16}$/.test(issuedAt ?? '') || !/^\d{1,6}$/.test(lifetime ?? '')) return undefined
  return {
    token,
    fingerprint,
    issuedAt: Number(issuedAt),
    lifetimeSeconds: Number(lifetime)
  }
}
