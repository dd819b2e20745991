import { Redis } from 'ioredis'
import t from 'tap'
import { call, postToken } from './helpers/broker.js'
import { bearer, writeCallers } from './helpers/callers.js'
import { ORG_1, ORG_2, setup, until } from './helpers/fixture.js'
import { startRedisServer } from './helpers/redis.js'

const bodies = [ORG_1, ORG_2].flatMap((orgId) =>
  ['cards', 'customers', 'accounts'].map((scopes) => ({ orgId, scopes })))

t.test('Redis stopped under steady load: nothing fails, and it recovers by itself', async (t) => {
  const server = await startRedisServer()
  t.teardown(() => server.stop())
  const { sandbox, broker, clock } = await setup(t, {
    REDIS_URL: server.url, CALLER_RATE_LIMIT_PER_MINUTE: '1000000'
  })
  for (const body of bodies) await postToken(broker, body)

  const failures: string[] = []
  const state = { running: true, served: 0 }
  // Whatever fails below, the load stops with the test.
  t.teardown(() => { state.running = false })
  const load = async (worker: number): Promise<void> => {
    for (let i = worker; state.running; i++) {
      try {
        const answer = await postToken(broker, bodies[i % bodies.length])
        if (answer.status === 200) state.served++
        else failures.push(answer.text)
      } catch (err) {
        failures.push(String(err))
      }
    }
  }
  const workers = Array.from({ length: 8 }, async (_, worker) => await load(worker))

  await server.stop()
  await until(async () => (await call(broker.url, 'GET', '/readyz')).status === 503,
    'readiness to say Redis is down')
  const duringOutage = state.served
  await until(() => state.served > duringOutage + 300, 'load while Redis is down')
  t.equal(sandbox.count('mint'), bodies.length, 'the in-process tier served every entry')

  const again = await startRedisServer(server.port)
  t.teardown(() => again.stop())
  const restartedAt = Date.now()
  await until(async () => (await call(broker.url, 'GET', '/readyz')).status === 200,
    'readiness once Redis is back', 15000)
  const recoveredInMs = Date.now() - restartedAt
  const client = new Redis(again.url)
  t.teardown(() => client.disconnect())
  // A token minted while only part of the broker's connections were back is written again later.
  await until(async () => {
    clock.advance(100)
    return (await client.keys('utb:token:*')).length === bodies.length
  }, 'entries in Redis again', 15000)
  state.running = false
  await Promise.all(workers)

  t.same(failures, [], 'no request failed')
  t.ok(recoveredInMs < 10000, `ready again ${recoveredInMs} ms after Redis returned`)
})

t.test('a caller\'s budget still holds while Redis is down', async (t) => {
  const server = await startRedisServer()
  t.teardown(() => server.stop())
  const callers = writeCallers(t, [{ name: 'runaway', requestsPerMinute: 3 }])
  const { broker } = await setup(t, { REDIS_URL: server.url, BROKER_CALLERS_FILE: callers.file })
  await server.stop()
  const statuses = []
  for (let i = 0; i < 5; i++) {
    statuses.push((await call(broker.url, 'GET', '/v1/orgs', undefined,
      bearer(callers.keys.runaway))).status)
  }
  t.same(statuses, [200, 200, 200, 429, 429])
})

t.test('a Redis that stops answering costs one timeout, not one per command', async (t) => {
  const server = await startRedisServer()
  t.teardown(() => server.stop())
  const { broker, sandbox, clock } = await setup(t, { REDIS_URL: server.url })
  const warm = await postToken(broker, bodies[0])

  // Frozen: the connection stays open and every command waits out its timeout.
  server.hang()
  const started = Date.now()
  const hits = []
  for (let i = 0; i < 10; i++) hits.push(await postToken(broker, bodies[0]))
  const hitsMs = Date.now() - started
  t.same(hits.map((answer) => answer.json.token), hits.map(() => warm.json.token))
  t.ok(hitsMs < 4000, `10 hits in ${hitsMs} ms, not 10 s of timeouts`)
  const missStarted = Date.now()
  t.equal((await postToken(broker, bodies[1])).status, 200, 'a miss is minted')
  const missMs = Date.now() - missStarted
  t.ok(missMs < 1000, `in ${missMs} ms, with no Redis command waited for`)
  t.equal((await call(broker.url, 'GET', '/readyz')).status, 503)

  server.resume()
  await until(async () => (await call(broker.url, 'GET', '/readyz')).status === 200,
    'readiness once Redis answers', 10000)
  const client = new Redis(server.url)
  t.teardown(() => client.disconnect())
  await until(async () => {
    clock.advance(1000)
    await postToken(broker, bodies[1])
    return (await client.keys('utb:token:*')).length === 2
  }, 'the token minted meanwhile in Redis')
  t.equal(sandbox.count('mint'), 2)
})
