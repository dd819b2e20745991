import { Redis } from 'ioredis'
import t from 'tap'
import { call, postToken, startBroker, type Answer } from './helpers/broker.js'
import { ORG_1, setup, until, type Fixture } from './helpers/fixture.js'

import { freePort, startRedisServer, testRedis } from './helpers/redis.js'

const body = { orgId: ORG_1, scopes: ['customers', 'cards'] }

t.test('with Redis, a token survives a broker restart', async (t) => {
  const redis = await testRedis(t)
  const env = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.prefix }
  const { sandbox, broker, clock, partnerToken } = await setup(t, env)
  const first = await postToken(broker, body)
  await broker.close()

  const restarted = await startBroker(t, { unitUrl: sandbox.url, partnerToken, env, clock })
  const second = await postToken(restarted, body)
  t.equal(second.headers['cache-status'], 'unit-token-broker; hit')
  t.equal(second.json.token, first.json.token)
  t.equal(sandbox.count('mint'), 1)
})

t.test('an entry is one string under the prefix that expires at the margin', async (t) => {
  const redis = await testRedis(t)
  const { broker } = await setup(t, { REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.prefix })
  await postToken(broker, body)

  const client = new Redis(redis.url)
  t.teardown(() => client.disconnect())
  const keys = await client.keys(`${redis.prefix}token:*`)
  t.equal(keys.length, 1)
  t.match(keys[0], new RegExp(`^${redis.prefix}token:\\{[\\w-]{43}\\}$`))
  const ttl = await client.pttl(keys[0] ?? '')
  t.ok(ttl > (86400 - 30 - 5) * 1000 && ttl <= (86400 - 30) * 1000, `pttl ${ttl}`)
  t.equal(await client.type(keys[0] ?? ''), 'string')
  t.match(await client.get(keys[0] ?? ''), /^\d{13} 86400 [\w-]{22} v1\.[\w-]+\.[\w-]{16}\.[\w-]+$/,
    'issue time, lifetime, fingerprint and the sealed token')
})

t.test('with MEMORY_CACHE_ENTRIES 0 every hit reads Redis', async (t) => {
  const redis = await testRedis(t)
  const env = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.prefix, MEMORY_CACHE_ENTRIES: '0' }
  const { sandbox, broker } = await setup(t, env)
  const first = await postToken(broker, body)
  const hit = await postToken(broker, body)
  t.equal(hit.headers['cache-status'], 'unit-token-broker; hit')
  t.equal(hit.json.token, first.json.token)

  const client = new Redis(redis.url)
  t.teardown(() => client.disconnect())
  await client.del(await client.keys(`${redis.prefix}token:*`))
  // A tier in memory would still serve the token; without one, the gone entry is minted again.
  const after = await postToken(broker, body)
  t.equal(after.headers['cache-status'], 'unit-token-broker; fwd=miss')
  t.not(after.json.token, first.json.token)
  t.equal(sandbox.count('mint'), 2)
})

interface Teardown {
  teardown (fn: () => unknown): void
}

/** A broker with one entry in a Redis of the test's own, and a client of that Redis. */
async function oneEntry (t: Teardown): Promise<Fixture & {
  env: Record<string, string>, first: Answer, client: Redis, key: string
}> {
  const redis = await testRedis(t)
  const env = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.prefix }
  const fixture = await setup(t, env)
  const first = await postToken(fixture.broker, body)
  const client = new Redis(redis.url)
  t.teardown(() => client.disconnect())
  const [key = ''] = await client.keys(`${redis.prefix}token:*`)
  return { ...fixture, env, first, client, key }
}

t.test('a damaged entry is never served: the token is minted again', async (t) => {
  const { sandbox, partnerToken, clock, env, first, client, key } = await oneEntry(t)
  // The fields of an entry: issue time, lifetime, fingerprint, token.
  const damage: Array<[number, string]> = [
    [0, 'yesterday'], [0, '9999999999999999'], [1, '999999'], [3, 'v1.x.y.z'], [3, '']
  ]
  let previous = first.json.token
  for (const [field, value] of damage) {
    const fields = (await client.get(key) ?? '').split(' ')
    fields[field] = value
    await client.set(key, fields.join(' '), 'KEEPTTL')
    // A replica that has not seen the entry yet reads it from Redis.
    const replica = await startBroker(t, { unitUrl: sandbox.url, partnerToken, env, clock })
    const next = await postToken(replica, body)
    t.equal(next.status, 200, `${field}=${value}`)
    t.not(next.json.token, previous, `${field}=${value} is not served`)
    previous = next.json.token
  }
  t.equal(sandbox.count('mint'), 1 + damage.length)
})

t.test('an entry of another shape (an older broker\'s hash) is minted again and replaced',
  async (t) => {
    const { sandbox, partnerToken, clock, env, first, client, key } = await oneEntry(t)
    await client.del(key)
    await client.hset(key, { t: first.json.token, f: 'x', i: String(clock.now()), l: '86400' })

    const replica = await startBroker(t, { unitUrl: sandbox.url, partnerToken, env, clock })
    const next = await postToken(replica, body)
    t.equal(next.status, 200)
    t.equal(next.headers['cache-status'], 'unit-token-broker; fwd=miss')
    t.equal(await client.type(key), 'string', 'the new token replaced it')
    t.equal(sandbox.count('mint'), 2)
    t.equal((await call(replica.url, 'POST', '/v1/tokens/invalidate', body)).status, 204)
  })

t.test('brokers for different Unit environments never share an entry', async (t) => {
  const redis = await testRedis(t)
  const env = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.prefix }
  const sandboxBroker = await setup(t, env)
  const liveBroker = await setup(t, env)
  const one = await postToken(sandboxBroker.broker, body)
  const other = await postToken(liveBroker.broker, body)
  t.equal(other.headers['cache-status'], 'unit-token-broker; fwd=miss')
  t.not(other.json.token, one.json.token)
})

t.test('Redis down: readiness says so, requests still get tokens, recovery is automatic',
  async (t) => {
    const server = await startRedisServer()
    t.teardown(() => server.stop())
    const { sandbox, broker } = await setup(t, { REDIS_URL: server.url })
    await postToken(broker, body)
    t.equal((await call(broker.url, 'GET', '/readyz')).status, 200)

    await server.stop()
    const ready = await call(broker.url, 'GET', '/readyz')
    t.equal(ready.status, 503)
    t.match(ready.json, { status: 'unready', checks: { store: 'failing' } })
    const held = await postToken(broker, body)
    t.equal(held.status, 200, 'the token this process holds keeps serving')
    t.equal(held.headers['cache-status'], 'unit-token-broker; hit')
    const answer = await postToken(broker, { ...body, scopes: ['accounts'] })
    t.equal(answer.status, 200, 'a token is minted without the store')
    t.equal(sandbox.count('mint'), 2)

    const again = await startRedisServer(server.port)
    t.teardown(() => again.stop())
    await until(async () => (await call(broker.url, 'GET', '/readyz')).status === 200,
      'readiness after Redis returns', 15000)
    const served = await postToken(broker, body)
    t.equal(served.status, 200)
  })

t.test('a Redis that refuses writes costs no token in the logs', async (t) => {
  const server = await startRedisServer()
  t.teardown(() => server.stop())
  const { broker } = await setup(t, { REDIS_URL: server.url, TOKEN_ENCRYPTION_DISABLED: 'true' })
  const admin = new Redis(server.url)
  t.teardown(() => admin.disconnect())
  // A replica refuses writes, as a former master does after a failover.
  await admin.replicaof('127.0.0.1', String(await freePort()))

  const answer = await postToken(broker, body)
  t.equal(answer.status, 200, 'the minted token is still handed out')
  const failed = broker.logs.filter((line) => line.includes('"event":"store_failed"'))
  t.ok(failed.length > 0, 'the failed write is logged')
  t.match(failed.join('\n'), /READONLY/)
  t.notOk(broker.logs.some((line) => line.includes(answer.json.token)), 'without the token')
})
