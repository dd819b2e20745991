import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type { RedisClient } from '../stores/redis-events.js'
import { RedisScript } from '../stores/script.js'

/** Counts one request in the current window and gives the count and the window's time left. */
const COUNT = new RedisScript(`
local current = redis.call('INCR', KEYS[1])
if current == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
return {current, left}`)

type Done = (error: Error | null, result?: { current: number, ttl: number }) => void

/**
 * Per-caller request counts, shared by the replicas through Redis. While
 * Redis fails, each replica counts on its own, so a budget still holds
 * (per replica) instead of lapsing.
 */
export function callerCounts (redis: RedisClient | undefined, prefix: string):
FastifyRateLimitStoreCtor {
  const local = new Map<string, { count: number, resetAt: number }>()

  const countLocally = (key: string, windowMs: number): { current: number, ttl: number } => {
    const now = Date.now()
    let window = local.get(key)
    if (window === undefined || window.resetAt <= now) {
      window = { count: 0, resetAt: now + windowMs }
      local.set(key, window)
    }
    window.count++
    return { current: window.count, ttl: window.resetAt - now }
  }

  class CallerCounts implements FastifyRateLimitStore {
    incr (key: string, done: Done, timeWindow = 60_000): void {
      if (redis === undefined) return done(null, countLocally(key, timeWindow))
      COUNT.run(redis, [`${prefix}ratelimit:${key}`], [timeWindow]).then(
        (result) => {
          const [current, ttl] = result as [number, number]
          done(null, { current, ttl })
        },
        () => done(null, countLocally(key, timeWindow)))
    }

    child (): FastifyRateLimitStore {
      return this
    }
  }
  return CallerCounts
}
