import { randomBytes } from 'node:crypto'
import t from 'tap'
import { Pool } from 'undici'
import { startSandbox, type Sandbox } from '../src/sandbox/index.js'
import { bearer, writeCallers } from './helpers/callers.js'
import { canaryPartnerToken, ORG_1, until } from './helpers/fixture.js'
import { spawnBroker, type BrokerProcess } from './helpers/processes.js'
import { testRedis } from './helpers/redis.js'

interface Teardown {
  teardown (fn: () => unknown): void
}

interface Fleet {
  sandbox: Sandbox
  brokers: BrokerProcess[]
  key: string
}

/** A sandbox and `size` broker processes sharing one Redis, as replicas behind a balancer. */
async function startFleet (t: Teardown, size: number, env: Record<string, string> = {}):
Promise<Fleet> {
  const partnerToken = canaryPartnerToken()
  const sandbox = await startSandbox({ partnerTokens: [partnerToken] })
  t.teardown(() => sandbox.close())
  const redis = await testRedis(t)
  const callers = writeCallers(t, [{ name: 'fleet-test' }])
  const shared = {
    UNIT_API_URL: sandbox.url,
    UNIT_PARTNER_TOKEN: partnerToken,
    BROKER_CALLERS_FILE: callers.file,
    CALLER_RATE_LIMIT_PER_MINUTE: '100000',
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: redis.prefix,
    TOKEN_ENCRYPTION_KEY: `fleet:${randomBytes(32).toString('base64')}`,
    ...env
  }
  const brokers = await Promise.all(Array.from({ length: size }, () => spawnBroker(t, shared)))
  return { sandbox, brokers, key: callers.keys['fleet-test'] ?? '' }
}

interface Sent {
  status: number
  token?: string
  ms: number
}

async function askToken (pool: Pool, key: string, body: unknown): Promise<Sent> {
  const started = Date.now()
  const answer = await pool.request({
    method: 'POST',
    path: '/v1/tokens',
    headers: { 'content-type': 'application/json', ...bearer(key) },
    body: JSON.stringify(body)
  })
  const parsed = await answer.body.json() as { token?: string }
  return { status: answer.statusCode, token: parsed.token, ms: Date.now() - started }
}

function poolsOf (t: Teardown, brokers: BrokerProcess[]): Pool[] {
  return brokers.map((broker) => {
    const pool = new Pool(broker.url, { connections: 64 })
    t.teardown(() => pool.close())
    return pool
  })
}

t.test('4 replicas, 500 concurrent cold requests: one call to Unit, one token', async (t) => {
  const { sandbox, brokers, key } = await startFleet(t, 4)
  const pools = poolsOf(t, brokers)
  // A slow Unit keeps the mint under way while every request arrives.
  sandbox.setFault('mint', { kind: 'latency', ms: 300 })

  const answers = await Promise.all(Array.from({ length: 500 }, (_, i) =>
    askToken(pools[i % pools.length] as Pool, key, { orgId: ORG_1, scopes: ['cards'] })))

  t.same([...new Set(answers.map((answer) => answer.status))], [200])
  t.equal(new Set(answers.map((answer) => answer.token)).size, 1, 'everyone got one token')
  t.equal(sandbox.count('mint'), 1, 'Unit saw one mint')
})

t.test('a lock holder killed mid-mint: another replica mints within the timeout and a second',
  async (t) => {
    const { sandbox, brokers, key } = await startFleet(t, 2, { UPSTREAM_TIMEOUT_MS: '2000' })
    const [holder, other] = poolsOf(t, brokers) as [Pool, Pool]
    sandbox.setFault('mint', { kind: 'hang' }, 1)
    const body = { orgId: ORG_1, scopes: ['customers'] }

    const abandoned = askToken(holder, key, body).catch(() => undefined)
    await until(() => sandbox.count('mint') === 1, 'the holder to call Unit')
    const waiting = askToken(other, key, body)
    brokers[0]?.child.kill('SIGKILL')
    const killedAt = Date.now()
    const answer = await waiting
    const tookMs = Date.now() - killedAt

    t.equal(answer.status, 200)
    t.ok(tookMs < 2000 + 1000, `minted ${tookMs} ms after the holder died`)
    t.equal(sandbox.count('mint'), 2, 'the dead holder\'s call and the new one')
    await abandoned
  })

t.test('SIGTERM under load drops no request', async (t) => {
  const { brokers, key } = await startFleet(t, 2, { SHUTDOWN_DELAY_MS: '1000' })
  const pools = poolsOf(t, brokers)
  const balancer = readinessBalancer(pools)
  t.teardown(() => balancer.stop())
  const failures: string[] = []
  const state = { running: true, served: 0 }
  const send = async (): Promise<void> => {
    while (state.running) {
      try {
        const answer = await askToken(balancer.pick(), key, { orgId: ORG_1, scopes: ['cards'] })
        if (answer.status === 200) state.served++
        else failures.push(`status ${answer.status}`)
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        // Refused before anything was sent: a balancer tries another replica.
        if (code !== 'ECONNREFUSED') failures.push(String(code ?? err))
      }
    }
  }
  const workers = Array.from({ length: 16 }, async () => await send())
  await until(() => state.served > 200, 'load to build up', 15000)
  brokers[0]?.child.kill('SIGTERM')
  const code = await brokers[0]?.exited
  const after = state.served
  await until(() => state.served > after + 200, 'load on the remaining replica', 15000)
  state.running = false
  await Promise.all(workers)

  t.equal(code, 0, 'the stopped replica exited cleanly')
  t.same(failures, [], 'no request failed')
  t.ok(brokers[0]?.lines.some((line) => line.includes('"msg":"stopped"')))
})

/**
 * What a load balancer or a Kubernetes Service does: it sends requests only
 * to replicas whose readiness probe passes, probing every 50 ms.
 */
function readinessBalancer (pools: Pool[]): { pick: () => Pool, stop: () => void } {
  const ready = pools.map(() => true)
  let next = 0
  const probe = setInterval(() => {
    pools.forEach((pool, index) => {
      pool.request({ method: 'GET', path: '/readyz' }).then(async (answer) => {
        await answer.body.dump()
        ready[index] = answer.statusCode === 200
      }, () => { ready[index] = false })
    })
  }, 50)
  const pick = (): Pool => {
    for (let tried = 0; tried < pools.length; tried++) {
      const index = next++ % pools.length
      if (ready[index] === true) return pools[index] as Pool
    }
    return pools[0] as Pool
  }
  return { pick, stop: () => { clearInterval(probe) } }
}
