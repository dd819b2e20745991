import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type { RedisClient } from '../stores/redis-events.js'
import { RedisScript } from '../stores/script.js'

/** Adds requests to the current window and gives the count and the window's time left. */
const COUNT = new RedisScript(`
local current = redis.call('INCRBY', KEYS[1], ARGV[2])
if current == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
return {current, left}`)

/** How often requests counted here but not yet in Redis are sent there. */
const SEND_EVERY_MS = 100

type Done = (error: Error | null, result?: { current: number, ttl: number }) => void

interface Window {
  /** The fleet's count as Redis last gave it. */
  shared: number
  /** Requests counted here and not yet sent to Redis. */
  pending: number
  resetAt: number
}

/**
 * Per-caller request counts, shared by the replicas through Redis. Below
 * half its budget, a caller's requests are counted here and sent to Redis
 * in one command every 100 ms, so a request costs no round trip; from half
 * its budget on, each request is counted in Redis before it is answered,
 * so the budget holds exactly where it matters. While Redis fails, each
 * replica counts on its own, so a budget still holds (per replica) instead
 * of lapsing.
 */
export function callerCounts (redis: RedisClient | undefined, prefix: string):
FastifyRateLimitStoreCtor {
  const windows = new Map<string, Window>()
  let sending: NodeJS.Timeout | undefined

  const add = async (shared: RedisClient, key: string, count: number, windowMs: number):
  Promise<{ current: number, ttl: number }> => {
    const [current, ttl] = await COUNT.run(shared, [`${prefix}ratelimit:${key}`],
      [windowMs, count]) as [number, number]
    const window = windows.get(key)
    if (window !== undefined) {
      window.shared = Math.max(window.shared, current)
      window.resetAt = Date.now() + ttl
    }
    return { current, ttl }
  }

  const sendPending = (shared: RedisClient, windowMs: number): void => {
    sending = undefined
    const now = Date.now()
    for (const [key, window] of windows) {
      if (window.resetAt <= now && window.pending === 0) windows.delete(key)
      if (window.pending === 0) continue
      const count = window.pending
      window.pending = 0
      // Kept while Redis fails: the replica's own count goes on holding the budget.
      add(shared, key, count, windowMs).catch(() => { window.pending += count })
    }
  }

  class CallerCounts implements FastifyRateLimitStore {
    incr (key: string, done: Done, timeWindow = 60_000, max = Number.POSITIVE_INFINITY): void {
      const now = Date.now()
      let window = windows.get(key)
      if (window === undefined || window.resetAt <= now) {
        window = { shared: 0, pending: 0, resetAt: now + timeWindow }
        windows.set(key, window)
      }
      const count = window.pending + 1
      if (redis === undefined || (window.shared + count) * 2 <= max) {
        window.pending = count
        if (redis !== undefined) {
          sending ??= setTimeout(() => sendPending(redis, timeWindow), SEND_EVERY_MS).unref()
        }
        return done(null, { current: window.shared + count, ttl: window.resetAt - now })
      }
      window.pending = 0
      const counted = window
      add(redis, key, count, timeWindow).then(
        (result) => done(null, result),
        () => {
          counted.pending += count
          done(null, { current: counted.shared + counted.pending, ttl: counted.resetAt - now })
        })
    }

    child (): FastifyRateLimitStore {
      return this
    }
  }
  return CallerCounts
}
