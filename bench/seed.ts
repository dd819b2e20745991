import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { parseKeyRing } from '../src/secrets/sealer.js'
import { RedisTokenStore } from '../src/stores/redis.js'
import { cacheKey, tokenFingerprint } from '../src/tokens/cache-key.js'
import type { Stage } from './stage.js'

export const SEED_SCOPES = ['accounts', 'customers']
const LIFETIME_SECONDS = 86_400
const MARGIN_MS = 30_000

/** The org id of synthetic entry `i`: not a shared org, so only a hit can answer for it. */
export function seededOrg (i: number): string {
  return `bench-${i.toString(36).padStart(5, '0')}`
}

/** The request body that hits synthetic entry `i`. */
export function seededBody (i: number): string {
  return JSON.stringify({ orgId: seededOrg(i), scopes: SEED_SCOPES })
}

export interface SeedOptions {
  redisUrl: string
  prefix: string
  encryptionKey: string
  /** The brokers' UNIT_API_URL, part of every cache key. */
  unitUrl: string
  count: number
}

/**
 * Writes `count` entries through the broker's own Redis store, sealed and
 * laid out exactly as a mint leaves them, so that the brokers serve them as
 * hits without the stand-in minting 100,000 tokens first. The tokens have the
 * stand-in's shape (`v2.public.` and 64 characters).
 */
export async function seedEntries (options: SeedOptions): Promise<void> {
  const redis = new Redis(options.redisUrl)
  const ring = parseKeyRing(options.encryptionKey)
  const noLog = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} }
  const store = new RedisTokenStore(redis,
    { prefix: options.prefix, keyRing: () => ring, log: noLog })
  const upstream = new URL(options.unitUrl).href
  const issuedAt = Date.now()
  const batch = 500
  try {
    for (let from = 0; from < options.count; from += batch) {
      const writes = []
      for (let i = from; i < Math.min(options.count, from + batch); i++) {
        const token = `v2.public.${randomBytes(48).toString('base64url')}`
        const key = cacheKey({
          upstream,
          orgId: seededOrg(i),
          scopes: SEED_SCOPES,
          sourceIps: [],
          lifetimeSeconds: LIFETIME_SECONDS
        })
        const entry = {
          token, fingerprint: tokenFingerprint(token), issuedAt, lifetimeSeconds: LIFETIME_SECONDS
        }
        writes.push(store.set(key, entry, LIFETIME_SECONDS * 1000 - MARGIN_MS))
      }
      await Promise.all(writes)
    }
  } finally {
    redis.disconnect()
  }
}

type StageParts = Pick<Stage, 'redis' | 'encryptionKey' | 'sandbox'>

/** Where a stage's brokers keep their entries and how they seal them. */
export function seedTarget (stage: StageParts):
Pick<SeedOptions, 'redisUrl' | 'encryptionKey' | 'unitUrl'> {
  const { redis, encryptionKey, sandbox } = stage
  return { redisUrl: redis.url, encryptionKey, unitUrl: sandbox.url }
}

/** Bodies for the first `count` synthetic entries. */
export function seededBodies (count: number): string[] {
  return Array.from({ length: count }, (_, i) => seededBody(i))
}
