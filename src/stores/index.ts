import { Cluster, Redis, type RedisOptions } from 'ioredis'
import type { Clock } from '../clock.js'
import type { Log } from '../log.js'
import type { KeyRing } from '../secrets/sealer.js'
import { RedisCoordinator } from './coordinator.js'
import { MemoryTokenStore } from './memory.js'
import { RedisEvents, type RedisClient } from './redis-events.js'
import { failFastWhenSilent } from './redis-gate.js'
import { RedisTokenStore } from './redis.js'
import type { MintCoordinator, TokenStore } from './store.js'
import { TieredStore } from './tiered.js'

export interface HostPort {
  host: string
  port: number
}

/** Where Redis is: one server, a Cluster, or a master found through Sentinels. */
export type RedisTarget =
  | { mode: 'standalone', url: URL }
  | { mode: 'cluster', nodes: HostPort[], password: string | undefined }
  | { mode: 'sentinel', sentinels: HostPort[], master: string, password: string | undefined }

export interface StoreConfig {
  redis: RedisTarget | undefined
  redisKeyPrefix: string
  /** Entries the in-process tier holds at most; 0: no tier, every read goes to Redis. */
  memoryCacheEntries: number
  tokenExpiryMarginSeconds: number
  upstreamTimeoutMs: number
}

export interface Stores {
  store: TokenStore
  /** Set with Redis: one mint per entry across the fleet. */
  coordinator: RedisCoordinator | undefined
  /** The Redis connection, for other shared counters. */
  redis: RedisClient | undefined
}

/**
 * Every command fails at once while Redis is unreachable rather than
 * queueing, and waits at most a second while it is slow: a dead Redis slows
 * no request for long, and the in-process tier serves meanwhile.
 */
const COMMAND_OPTIONS: RedisOptions = {
  commandTimeout: 1000,
  maxRetriesPerRequest: 1,
  connectTimeout: 5000,
  enableOfflineQueue: false
}

/** Redis behind an in-process tier when configured; otherwise this process's memory. */
export async function createStores (config: StoreConfig, clock: Clock, log: Log,
  keyRing: () => KeyRing | undefined = () => undefined): Promise<Stores> {
  const memory = new MemoryTokenStore(clock, config.memoryCacheEntries)
  if (config.redis === undefined) {
    log.warn({ event: 'memory_store' }, 'no Redis is configured: tokens are kept in this ' +
      'process only, not shared between replicas and lost on restart')
    return { store: memory, coordinator: undefined, redis: undefined }
  }

  const redis = failFastWhenSilent(connect(config.redis, log, COMMAND_OPTIONS), log)
  // The subscriber queues its SUBSCRIBE until connected, and ioredis renews it after reconnecting.
  const subscriber = connect(config.redis, log, { ...COMMAND_OPTIONS, enableOfflineQueue: true })
  const events = new RedisEvents(redis, subscriber, config.redisKeyPrefix, log)
  // Waiters learn of other replicas' mints from this subscription: have it before serving.
  const subscribed = events.start().catch((err: unknown) => {
    log.warn({ event: 'redis_subscribe_failed', err }, 'no news from other replicas yet')
  })
  const shared = new RedisTokenStore(redis, {
    prefix: config.redisKeyPrefix, keyRing, log, events
  })
  const store = config.memoryCacheEntries === 0
    ? shared
    : new TieredStore(memory, shared, events, {
      clock, log, marginMs: config.tokenExpiryMarginSeconds * 1000
    })
  const coordinator = new RedisCoordinator(redis, events, {
    prefix: config.redisKeyPrefix,
    // A holder that died frees the entry a little after its own call would have timed out.
    lockTtlMs: config.upstreamTimeoutMs + 500
  })
  await Promise.all([waitForReady(redis, 2000), Promise.race([subscribed, delay(2000)])])
  return { store, coordinator, redis }
}

/**
 * How often a Cluster client asks for the slot map: after a failover it
 * finds the promoted replica even when the old master hangs rather than
 * closing its connections.
 */
const SLOTS_REFRESH_MS = 5000

function connect (target: RedisTarget, log: Log, options: RedisOptions): RedisClient {
  const client = target.mode === 'cluster'
    ? new Cluster(target.nodes, {
      redisOptions: { ...options, password: target.password },
      // Every key of an entry shares a slot; commands go straight to its master.
      enableOfflineQueue: options.enableOfflineQueue,
      slotsRefreshInterval: SLOTS_REFRESH_MS
    })
    : target.mode === 'sentinel'
      ? new Redis({
        ...options,
        sentinels: target.sentinels,
        name: target.master,
        password: target.password,
        // Hears +switch-master and reconnects to the new master, even when the old one hangs.
        failoverDetector: true,
        // A master demoted by a failover answers writes with READONLY: ask the Sentinels again.
        reconnectOnError: (err) => err.message.startsWith('READONLY')
      })
      : new Redis(target.url.href, options)
  client.on('error', (err: Error) => {
    log.warn({ event: 'redis_error', err }, 'Redis connection error')
  })
  return client
}

async function delay (ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms).unref())
}

/** Gives Redis a moment at start; the broker starts without it and recovers when it comes. */
async function waitForReady (client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, timeoutMs)
    client.once('ready', done)
    function done (): void {
      clearTimeout(timer)
      client.off('ready', done)
      resolve()
    }
  })
}

export type { MintCoordinator }
