import { Agent, request } from 'undici'
import { SANDBOX_ORGS } from '../src/sandbox/index.js'
import { DEFAULT_ALLOWED_SCOPES } from '../src/tokens/scopes.js'
import type { BenchOptions } from './options.js'
import type { Served, Stage } from './stage.js'

export interface BurstResult {
  replicas: number
  size: number
  /** Mint calls the stand-in saw for the burst's one entry. */
  unitMints: number
  /** Calls for the org list during the burst. */
  unitOrgLists: number
  ok: number
  failed: number
  wallMs: number
}

/**
 * Part 2: cold bursts of concurrent requests for one entry, spread over one
 * or four replicas sharing one Redis. Each burst asks for a scope set no
 * earlier burst used, so its entry is cold in Redis and in every replica.
 */
export async function measureBursts (stage: Stage, options: BenchOptions):
Promise<BurstResult[]> {
  const replicas: Served[] = []
  for (let i = 0; i < 4; i++) {
    replicas.push(await stage.broker({ REDIS_KEY_PREFIX: 'bench-burst:' }))
  }
  const agent = new Agent({ connections: null, pipelining: 0 })
  const orgId = SANDBOX_ORGS[0]?.orgId ?? ''
  const results: BurstResult[] = []
  let burst = 0
  try {
    for (const fleet of [1, 4]) {
      for (const size of options.burstSizes) {
        const scopes = scopeSet(++burst)
        results.push(await oneBurst(stage, replicas.slice(0, fleet), agent, size,
          JSON.stringify({ orgId, scopes })))
      }
    }
  } finally {
    await agent.close()
    await Promise.all(replicas.map(async (replica) => await replica.stop()))
  }
  return results
}

/** A scope set of its own for burst `n`: the allowed scopes that `n` picks bit by bit. */
function scopeSet (n: number): string[] {
  return DEFAULT_ALLOWED_SCOPES.filter((_, bit) => (n & (1 << bit)) !== 0)
}

async function oneBurst (stage: Stage, fleet: Served[], agent: Agent, size: number,
  body: string): Promise<BurstResult> {
  stage.sandbox.reset()
  const headers = { authorization: `Bearer ${stage.callerKey}`, 'content-type': 'application/json' }
  const started = performance.now()
  const statuses = await Promise.all(Array.from({ length: size }, async (_, i) => {
    const url = `${fleet[i % fleet.length]?.url ?? ''}/v1/tokens`
    try {
      const answer = await request(url, { method: 'POST', body, headers, dispatcher: agent })
      await answer.body.dump()
      return answer.statusCode
    } catch {
      return 0
    }
  }))
  const wallMs = performance.now() - started
  const ok = statuses.filter((status) => status === 200).length
  const calls = stage.sandbox.calls
  process.stdout.write(`  ${fleet.length} replica(s), ${size} requests: ` +
    `${calls.filter((call) => call.path === '/partners/token').length} mint(s)\n`)
  return {
    replicas: fleet.length,
    size,
    unitMints: calls.filter((call) => call.path === '/partners/token').length,
    unitOrgLists: calls.filter((call) => call.path === '/partners/orgs').length,
    ok,
    failed: size - ok,
    wallMs
  }
}
