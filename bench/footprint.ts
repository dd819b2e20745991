import { Redis } from 'ioredis'
import { load, type LoadResult } from './load.js'
import type { BenchOptions } from './options.js'
import { seedEntries, seedTarget, seededBodies } from './seed.js'
import { sideBySide, type SideBySide } from './hit-path.js'
import type { Stage } from './stage.js'

export interface RedisFootprint {
  /** MEMORY USAGE of an entry (one string), median over a sample. */
  entryBytes: number
  /** MEMORY USAGE of the generation counter a mint lock leaves beside the entry. */
  generationBytes: number
  /** The length of the sampled entry's string, and of the sealed token in it. */
  valueBytes: number
  sealedTokenBytes: number
  /** used_memory grown by the seeding, per entry (the keyspace's own overhead included). */
  usedMemoryPerEntry: number
  entries: number
}

export interface BrokerFootprint {
  rssEmpty: number
  rssFull: number
  entries: number
  steadySeconds: number
  /** RSS just before the steady run, idle; then at its end. */
  rssBeforeSteady: number
  rssAfterSteady: number
  /** RSS before the steady run, at every tenth of it and at its end, in bytes. */
  steadySamples: number[]
  steadyLoad: LoadResult
  scaling: SideBySide
}

const PREFIX = 'bench-many:'

/** The entry keys and generation counters under a prefix, MEMORY USAGE of each kind. */
export async function redisFootprint (stage: Stage, options: BenchOptions):
Promise<RedisFootprint> {
  const redis = new Redis(stage.redis.url)
  try {
    const before = await usedMemory(redis)
    await seedEntries({ ...seedTarget(stage), prefix: PREFIX, count: options.entries })
    const after = await usedMemory(redis)
    const sample = await scanKeys(redis, `${PREFIX}token:*`, 1000)
    // Minted entries (the bursts') also hold a generation counter beside them.
    const generations = await scanKeys(redis, 'bench-burst:gen:*', 100)
    return {
      entryBytes: await medianUsage(redis, sample),
      generationBytes: await medianUsage(redis, generations),
      ...await valueSizes(redis, sample[0] ?? ''),
      usedMemoryPerEntry: (after - before) / options.entries,
      entries: options.entries
    }
  } finally {
    redis.disconnect()
  }
}

/** How long one entry's string is, and the sealed token that makes most of it. */
async function valueSizes (redis: Redis, key: string):
Promise<Pick<RedisFootprint, 'valueBytes' | 'sealedTokenBytes'>> {
  const value = await redis.get(key) ?? ''
  return {
    valueBytes: Buffer.byteLength(value),
    sealedTokenBytes: Buffer.byteLength(value.split(' ')[3] ?? '')
  }
}

async function usedMemory (redis: Redis): Promise<number> {
  const info = await redis.info('memory')
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? 0)
}

async function scanKeys (redis: Redis, match: string, most: number): Promise<string[]> {
  const keys: string[] = []
  let cursor = '0'
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000)
    keys.push(...found)
    cursor = next
  } while (cursor !== '0' && keys.length < most)
  return keys.slice(0, most)
}

async function medianUsage (redis: Redis, keys: string[]): Promise<number> {
  const sizes = await Promise.all(keys.map(async (key) =>
    Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'))))
  sizes.sort((a, b) => a - b)
  return sizes[Math.floor(sizes.length / 2)] ?? 0
}

/**
 * Parts 4 and 5 on one broker whose in-process tier holds every seeded
 * entry: its RSS empty and full, hit throughput over 1k, 10k and all
 * entries, then RSS through a steady run over all of them.
 */
export async function brokerFootprint (stage: Stage, options: BenchOptions):
Promise<BrokerFootprint> {
  const broker = await stage.broker({
    REDIS_KEY_PREFIX: PREFIX, MEMORY_CACHE_ENTRIES: String(options.entries * 2)
  })
  const authorization = `Bearer ${stage.callerKey}`
  const all = seededBodies(options.entries)
  const target = { url: broker.url, connections: options.connections, authorization }
  try {
    const rssEmpty = broker.rss()
    // Each entry asked for once moves it from Redis into the in-process tier.
    const warm = await load({
      ...target, seconds: 0, bodies: all, amount: all.length
    })
    if (warm.failures > 0) throw new Error(`${warm.failures} requests failed while warming`)
    const rssFull = broker.rss()

    const sizes = [1000, 10_000, options.entries].filter((size, i, list) =>
      size <= options.entries && list.indexOf(size) === i)
    const scaling = await sideBySide(sizes.map((size) => ({
      name: String(size), server: broker, bodies: all.slice(0, size), authorization
    })), options)

    const steadySamples: number[] = [broker.rss()]
    const sampler = setInterval(() => steadySamples.push(broker.rss()),
      Math.max(1000, options.steadySeconds * 100))
    const steadyLoad = await load({
      ...target, seconds: options.steadySeconds, bodies: all
    })
    clearInterval(sampler)
    steadySamples.push(broker.rss())
    return {
      rssEmpty,
      rssFull,
      entries: options.entries,
      steadySeconds: options.steadySeconds,
      rssBeforeSteady: steadySamples[0] ?? 0,
      rssAfterSteady: steadySamples[steadySamples.length - 1] ?? 0,
      steadySamples,
      steadyLoad,
      scaling
    }
  } finally {
    await broker.stop()
  }
}
