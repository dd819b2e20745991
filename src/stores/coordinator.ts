import { randomUUID } from 'node:crypto'
import type { RedisClient, RedisEvents } from './redis-events.js'
import { RedisScript } from './script.js'
import type { MintCoordinator, MintLock, MintNews } from './store.js'

/** Takes the lock and gives its generation, or gives how long the holder still has it. */
const TAKE_LOCK = new RedisScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local generation = redis.call('INCR', KEYS[2])
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
  return {generation, 0}
end
local left = redis.call('PTTL', KEYS[1])
if left < 0 then left = 0 end
return {0, left}`)

/** Releases the lock only for its owner: a holder whose lock expired frees no one else's. */
const RELEASE_LOCK = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`)

/** Extends the lock only for its owner. */
const EXTEND_LOCK = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`)

/** The generation counter outlives any token, so generations never repeat while one lives. */
const GENERATION_TTL_MS = 2 * 86_400_000

export interface RedisCoordinatorOptions {
  prefix: string
  /**
   * How long a lock lasts if its holder stops extending it (it died). A
   * holder at work extends it every third of this.
   */
  lockTtlMs: number
}

/**
 * One mint per entry across the fleet: a Redis lock with an owner and an
 * expiry, released only by its owner, whose generation fences the write of
 * the token, and pub/sub news so waiters learn of the result at once.
 */
export class RedisCoordinator implements MintCoordinator {
  readonly #redis: RedisClient
  readonly #events: RedisEvents
  readonly #options: RedisCoordinatorOptions
  readonly #held = new Set<MintLock>()

  constructor (redis: RedisClient, events: RedisEvents, options: RedisCoordinatorOptions) {
    this.#redis = redis
    this.#events = events
    this.#options = options
  }

  async tryLock (key: string): Promise<MintLock | { heldForMs: number }> {
    const owner = randomUUID()
    const lockKey = `${this.#options.prefix}lock:{${key}}`
    const [generation, left] = await TAKE_LOCK.run(this.#redis,
      [lockKey, `${this.#options.prefix}gen:{${key}}`],
      [owner, this.#options.lockTtlMs, GENERATION_TTL_MS]) as [number, number]
    if (generation === 0) return { heldForMs: left }

    const lock: MintLock = {
      generation,
      extend: async () =>
        await EXTEND_LOCK.run(this.#redis, [lockKey], [owner, this.#options.lockTtlMs]) === 1,
      release: async () => {
        this.#held.delete(lock)
        await RELEASE_LOCK.run(this.#redis, [lockKey], [owner])
      }
    }
    this.#held.add(lock)
    return lock
  }

  listen (key: string): { wait (timeoutMs: number): Promise<MintNews>, stop (): void } {
    const heard: MintNews[] = []
    let wake: ((news: MintNews) => void) | undefined
    const stop = this.#events.onEvent((event) => {
      if (event.key !== key) return
      const news: MintNews = event.kind === 'failed'
        ? { kind: 'failed', code: event.code ?? 'upstream_unavailable' }
        : event.kind === 'released' ? { kind: 'released' } : { kind: 'minted' }
      if (wake === undefined) heard.push(news)
      else wake(news)
    })
    const wait = async (timeoutMs: number): Promise<MintNews> => {
      const first = heard.shift()
      if (first !== undefined) return first
      return await new Promise<MintNews>((resolve) => {
        const timer = setTimeout(() => { wake = undefined; resolve({ kind: 'timeout' }) }, timeoutMs)
        wake = (news) => { clearTimeout(timer); wake = undefined; resolve(news) }
      })
    }
    return { wait, stop: () => { stop() } }
  }

  async announceFailure (key: string, code: string): Promise<void> {
    await this.#events.publish({ kind: 'failed', key, code })
  }

  async announceRelease (key: string): Promise<void> {
    await this.#events.publish({ kind: 'released', key })
  }

  /** Frees every lock this process holds, for a clean stop. */
  async releaseAll (): Promise<void> {
    await Promise.allSettled([...this.#held].map(async (lock) => await lock.release()))
  }
}
