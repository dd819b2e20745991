import type { Clock } from '../clock.js'
import type { RenewalBudget } from '../tokens/token-service.js'
import type { RedisClient } from './redis-events.js'
import { RedisScript } from './script.js'

/** Counts one renewal in the current minute across the fleet, and gives the count. */
const COUNT = new RedisScript(`
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], 120000) end
return count`)

/**
 * At most `perMinute` background renewals a minute: fleet-wide through Redis
 * when there is one, else (or while it fails) in this process. Requests that
 * need a token now never wait on this budget; only renewals ahead of need do.
 */
export function renewalBudget (perMinute: number, clock: Clock,
  shared?: { redis: RedisClient, prefix: string }): RenewalBudget {
  let minute = -1
  let taken = 0
  const takeLocally = (): boolean => {
    const now = Math.floor(clock.now() / 60_000)
    if (now !== minute) {
      minute = now
      taken = 0
    }
    return ++taken <= perMinute
  }
  return {
    take: async () => {
      if (shared === undefined) return takeLocally()
      const key = `${shared.prefix}renewals:${Math.floor(clock.now() / 60_000)}`
      try {
        return Number(await COUNT.run(shared.redis, [key], [])) <= perMinute
      } catch {
        return takeLocally()
      }
    }
  }
}
