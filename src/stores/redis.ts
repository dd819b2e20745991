import type { Log } from '../log.js'
import { open, seal, type KeyRing } from '../secrets/sealer.js'
import type { RedisClient, RedisEvents } from './redis-events.js'
import { RedisScript } from './script.js'
import type { StoredToken, TokenStore } from './store.js'

export interface RedisStoreOptions {
  prefix: string
  /** The encryption keys now in use, or undefined when tokens are stored in the clear. */
  keyRing: () => KeyRing | undefined
  log: Log
  /** Where the other replicas hear of new and dropped entries. */
  events?: RedisEvents | undefined
}

/**
 * An entry is one string, its fields apart by single spaces: issue time,
 * lifetime, token fingerprint, then the token (sealed or not). No field can
 * hold a space. One string takes about half the memory of a hash whose
 * sealed token is too long for Redis' compact hash encoding.
 */
const HELD = `
local function held (key)
  if redis.call('TYPE', key)['ok'] ~= 'string' then return nil end
  return redis.call('GET', key)
end`

/**
 * Writes an entry. A fenced write (generation above 0) happens only while
 * the entry's generation counter still holds that generation: a holder
 * whose lock expired and was taken again cannot overwrite the newer token.
 * A late write (generation -1) happens only over no entry or an older one,
 * and never of a token a caller reported since (its fingerprint is in the
 * entry's dropped marker).
 */
const SET_ENTRY = new RedisScript(`${HELD}
local generation = tonumber(ARGV[1])
if generation > 0 and tonumber(redis.call('GET', KEYS[2]) or '0') ~= generation then
  return 0
end
if generation < 0 then
  local issued = tonumber(string.match(held(KEYS[1]) or '', '^(%d+) ') or '0')
  if issued >= tonumber(ARGV[4]) or redis.call('GET', KEYS[3]) == ARGV[5] then return 0 end
end
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[2])
return 1`)

/**
 * Deletes the entry only while it still holds the given token fingerprint,
 * and marks that token dropped for as long as a token lives, so that a
 * replica holding it unwritten cannot write it back later.
 */
const DELETE_IF_FINGERPRINT = new RedisScript(`${HELD}
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
if string.match(held(KEYS[1]) or '', '^%d+ %d+ (%S+) ') == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`)

/** The longest a token lives, so the longest a dropped marker matters. */
const DROPPED_MARKER_MS = 86_400_000

/**
 * Tokens in Redis, shared by every replica. Every key of one entry holds the
 * entry's digest as a hash tag, so they share a cluster slot.
 */
export class RedisTokenStore implements TokenStore {
  readonly kind = 'redis'
  readonly redis: RedisClient
  readonly #options: RedisStoreOptions

  constructor (redis: RedisClient, options: RedisStoreOptions) {
    this.redis = redis
    this.#options = options
  }

  keyOf (key: string): string {
    return `${this.#options.prefix}token:{${key}}`
  }

  generationKeyOf (key: string): string {
    return `${this.#options.prefix}gen:{${key}}`
  }

  #droppedKeyOf (key: string): string {
    return `${this.#options.prefix}dropped:{${key}}`
  }

  async get (key: string): Promise<StoredToken | undefined> {
    const redisKey = this.keyOf(key)
    const entry = parseEntry(await asString(this.redis.get(redisKey)))
    if (entry === undefined) return undefined
    const ring = this.#options.keyRing()
    if (ring === undefined) return looksSealed(entry.token) ? this.#unreadable() : entry

    const token = open(ring, entry.token, boundTo(redisKey, entry))
    if (token === undefined) return this.#unreadable()
    return { ...entry, token }
  }

  /**
   * The fingerprint of the token the entry holds, without reading or opening
   * the token: its first fields are enough.
   */
  async fingerprintOf (key: string): Promise<string | undefined> {
    const head = await asString(this.redis.getrange(this.keyOf(key), 0, 95))
    return ENTRY_HEAD.exec(head ?? '')?.[3]
  }

  #unreadable (): undefined {
    this.#options.log.warn({ event: 'token_unreadable' },
      'a cached entry did not open with the encryption keys; treating it as a miss')
    return undefined
  }

  async set (key: string, entry: StoredToken, ttlMs: number, generation = 0):
  Promise<boolean> {
    const redisKey = this.keyOf(key)
    const ring = this.#options.keyRing()
    const stored = ring === undefined ? entry.token : seal(ring, entry.token, boundTo(redisKey, entry))
    const value = [entry.issuedAt, entry.lifetimeSeconds, entry.fingerprint, stored].join(' ')
    const written = await SET_ENTRY.run(this.redis,
      [redisKey, this.generationKeyOf(key), this.#droppedKeyOf(key)],
      [generation, Math.max(1, Math.floor(ttlMs)), value, entry.issuedAt, entry.fingerprint])
    if (written !== 1) return false
    await this.#options.events?.publish({ kind: 'minted', key })
    return true
  }

  /**
   * The other replicas hear of it even when Redis held no matching entry: one
   * of them may still hold that token in its own tier (Redis evicted the
   * entry, or its write failed), and must let it go too.
   */
  /**
   * Writes an entry whose first write failed, unless Redis meanwhile holds
   * one issued at the same time or later. True when written.
   */
  async restore (key: string, entry: StoredToken, ttlMs: number): Promise<boolean> {
    return await this.set(key, entry, ttlMs, -1)
  }

  async delete (key: string, fingerprint?: string): Promise<boolean> {
    const redisKey = this.keyOf(key)
    const removed = fingerprint === undefined
      ? await this.redis.del(redisKey)
      : await DELETE_IF_FINGERPRINT.run(this.redis, [redisKey, this.#droppedKeyOf(key)],
        [fingerprint, DROPPED_MARKER_MS])
    await this.#options.events?.publish({ kind: 'dropped', key, fingerprint })
    return removed === 1
  }

  async ping (): Promise<void> {
    await this.redis.ping()
  }

  async close (): Promise<void> {
    await this.#options.events?.close()
    await this.redis.quit().catch(() => this.redis.disconnect())
  }
}

/**
 * What a sealed token is bound to: where it is stored and the fields stored
 * beside it, so that neither moving it nor editing its issue time, lifetime
 * or fingerprint goes unnoticed.
 */
function boundTo (redisKey: string, entry: StoredToken): string {
  return [redisKey, entry.fingerprint, entry.issuedAt, entry.lifetimeSeconds].join('\n')
}

/** A broker without keys must not hand out what a broker with keys sealed. */
function looksSealed (value: string): boolean {
  return /^v1\.[\w-]{1,32}\.[\w-]{16}\.[\w-]{17,}$/.test(value)
}

/** An entry's first fields: issue time, lifetime, fingerprint, then the token. */
const ENTRY_HEAD = /^(\d{1,16}) (\d{1,6}) ([\w-]{1,64}) /
const ENTRY = new RegExp(`${ENTRY_HEAD.source}([\\x21-\\x7e]{1,20000})$`)

/** A read of an entry; a key of another type (an older broker's hash) reads as absent. */
async function asString<T> (read: Promise<T>): Promise<T | null> {
  try {
    return await read
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('WRONGTYPE')) return null
    throw err
  }
}

/** An entry that is not whole is treated as absent, never served. */
function parseEntry (value: string | null): StoredToken | undefined {
  const fields = ENTRY.exec(value ?? '')
  if (fields === null) return undefined
  const [, issuedAt, lifetime, fingerprint = '', token = ''] = fields
  return {
    token,
    fingerprint,
    issuedAt: Number(issuedAt),
    lifetimeSeconds: Number(lifetime)
  }
}
