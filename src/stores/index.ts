import { Redis } from 'ioredis'
import type { Clock } from '../clock.js'
import type { Log } from '../log.js'
import type { KeyRing } from '../secrets/sealer.js'
import { MemoryTokenStore } from './memory.js'
import { RedisTokenStore } from './redis.js'
import type { TokenStore } from './store.js'

export interface StoreConfig {
  redisUrl: URL | undefined
  redisKeyPrefix: string
}

/** Redis when configured; otherwise this process's memory, with a warning. */
export function createStore (config: StoreConfig, clock: Clock, log: Log,
  keyRing: () => KeyRing | undefined = () => undefined): TokenStore {
  if (config.redisUrl === undefined) {
    log.warn({ event: 'memory_store' }, 'REDIS_URL is not set: tokens are kept in this ' +
      'process only, not shared between replicas and lost on restart')
    return new MemoryTokenStore(clock)
  }
  const redis = new Redis(config.redisUrl.href, {
    // A command waits at most this long, so a dead Redis slows no request for long.
    commandTimeout: 1000,
    maxRetriesPerRequest: 1,
    connectTimeout: 5000
  })
  redis.on('error', (err: Error) => {
    log.warn({ event: 'redis_error', err: { message: err.message } }, 'Redis connection error')
  })
  return new RedisTokenStore(redis, { prefix: config.redisKeyPrefix, keyRing, log })
}
