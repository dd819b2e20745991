import { request } from 'undici'
import { load, median, type LoadResult } from './load.js'
import type { BenchOptions } from './options.js'
import { seedEntries, seedTarget, seededBodies, seededBody } from './seed.js'
import type { Served, Stage } from './stage.js'

export interface SideBySide {
  /** Median of the rounds, per server. */
  medians: Record<string, LoadResult>
  /** Every round's result, per server, in the order they ran. */
  rounds: Array<Record<string, LoadResult>>
}

interface Contender {
  name: string
  server: Served
  bodies: readonly string[]
  authorization?: string
}

/**
 * Runs each contender once a round, the order turning every round, so that
 * a slow spell of the machine falls on each in turn; the medians compare.
 */
export async function sideBySide (contenders: Contender[], options: BenchOptions):
Promise<SideBySide> {
  for (const contender of contenders) await run(contender, options, 2)
  const rounds: Array<Record<string, LoadResult>> = []
  for (let round = 0; round < options.rounds; round++) {
    const results: Record<string, LoadResult> = {}
    for (let i = 0; i < contenders.length; i++) {
      const contender = contenders[(i + round) % contenders.length]
      if (contender === undefined) continue
      results[contender.name] = await run(contender, options, options.runSeconds)
      process.stdout.write(`  round ${round + 1} ${contender.name}: ` +
        `${Math.round(results[contender.name]?.requestsPerSecond ?? 0)} req/s\n`)
    }
    rounds.push(results)
  }
  const medians: Record<string, LoadResult> = {}
  for (const { name } of contenders) {
    const of = (field: keyof LoadResult): number =>
      median(rounds.map((round) => round[name]?.[field] ?? 0))
    medians[name] = {
      requestsPerSecond: of('requestsPerSecond'),
      p50Ms: of('p50Ms'),
      p99Ms: of('p99Ms'),
      failures: rounds.reduce((sum, round) => sum + (round[name]?.failures ?? 0), 0),
      requests: rounds.reduce((sum, round) => sum + (round[name]?.requests ?? 0), 0)
    }
  }
  return { medians, rounds }
}

async function run (contender: Contender, options: BenchOptions, seconds: number):
Promise<LoadResult> {
  return await load({
    url: contender.server.url,
    seconds,
    connections: options.connections,
    bodies: contender.bodies,
    ...(contender.authorization === undefined ? {} : { authorization: contender.authorization })
  })
}

/** One answer of the broker, to give the bare route a body of the same size. */
async function sampleAnswer (url: string, authorization: string, body: string): Promise<string> {
  const answer = await request(`${url}/v1/tokens`, {
    method: 'POST', body, headers: { authorization, 'content-type': 'application/json' }
  })
  const text = await answer.body.text()
  if (answer.statusCode !== 200) throw new Error(`the broker answered ${answer.statusCode}`)
  return text
}

export interface HitPathResult extends SideBySide {
  bodyBytes: number
}

/**
 * Part 1: the hit path of the two-tier broker and of a broker whose every
 * hit reads Redis, beside a bare fastify route answering a body of the same
 * size, at the same concurrency.
 */
export async function measureHitPath (stage: Stage, options: BenchOptions):
Promise<HitPathResult> {
  const prefix = 'bench-hit:'
  await seedEntries({ ...seedTarget(stage), prefix, count: 1 })
  const authorization = `Bearer ${stage.callerKey}`
  const tiered = await stage.broker({ REDIS_KEY_PREFIX: prefix })
  const redisOnly = await stage.broker({ REDIS_KEY_PREFIX: prefix, MEMORY_CACHE_ENTRIES: '0' })
  const answer = await sampleAnswer(tiered.url, authorization, seededBody(0))
  const bare = await stage.bare(answer)
  const bodies = seededBodies(1)
  try {
    const result = await sideBySide([
      { name: 'bare', server: bare, bodies },
      { name: 'tiered', server: tiered, bodies, authorization },
      { name: 'redisOnly', server: redisOnly, bodies, authorization }
    ], options)
    return { ...result, bodyBytes: Buffer.byteLength(answer) }
  } finally {
    await Promise.all([tiered.stop(), redisOnly.stop(), bare.stop()])
  }
}
