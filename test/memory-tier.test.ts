import { Redis } from 'ioredis'
import t from 'tap'
import { createLogger } from '../src/log.js'
import { RedisTokenStore } from '../src/stores/redis.js'
import type { StoredToken } from '../src/stores/store.js'
import { cacheKey, tokenFingerprint } from '../src/tokens/cache-key.js'
import { call, postToken, startBroker, type TestBroker } from './helpers/broker.js'
import { ORG_1, setup, until } from './helpers/fixture.js'
import { logged } from './helpers/calls.js'
import { startRedisServer, testRedis } from './helpers/redis.js'

interface Teardown {
  teardown (fn: () => unknown): void
}

/** Two replicas sharing one Redis, each with its own in-process tier, and a client of that Redis. */
async function twoReplicas (t: Teardown): Promise<{
  first: TestBroker, second: TestBroker, redis: Redis, prefix: string, mints: () => number
}> {
  const shared = await testRedis(t)
  const env = { REDIS_URL: shared.url, REDIS_KEY_PREFIX: shared.prefix }
  const { sandbox, broker: first, partnerToken, clock } = await setup(t, env)
  const second = await startBroker(t, { unitUrl: sandbox.url, partnerToken, env, clock })
  const redis = new Redis(shared.url)
  t.teardown(() => redis.disconnect())
  return { first, second, redis, prefix: shared.prefix, mints: () => sandbox.count('mint') }
}

const body = { orgId: ORG_1, scopes: ['cards'] }

t.test('a token another replica minted replaces the copy in this replica\'s tier', async (t) => {
  const { first, second, mints } = await twoReplicas(t)
  const old = await postToken(first, body)
  t.equal((await postToken(second, body)).json.token, old.json.token, 'both serve one token')

  t.equal((await call(first.url, 'POST', '/v1/tokens/invalidate', body)).status, 204)
  const fresh = await postToken(first, body)
  t.not(fresh.json.token, old.json.token)
  await until(async () => (await postToken(second, body)).json.token === fresh.json.token,
    'the other replica to serve the new token')
  t.equal(mints(), 2)
})

t.test('a token Redis no longer holds is still dropped everywhere when reported', async (t) => {
  const { first, second, redis, prefix, mints } = await twoReplicas(t)
  const held = await postToken(first, body)
  // Redis lets the entry go (an eviction under maxmemory, say): only the first replica holds it.
  const keys = await redis.keys(`${prefix}token:*`)
  t.equal(keys.length, 1)
  await redis.del(...keys)
  t.equal((await postToken(first, body)).headers['cache-status'], 'unit-token-broker; hit')

  // The caller's read came back 401 and the balancer sends its report to the other replica.
  const report = { ...body, token: held.json.token }
  t.equal((await call(second.url, 'POST', '/v1/tokens/invalidate', report)).status, 204)
  await until(async () => (await postToken(first, body)).json.token !== held.json.token,
    'the first replica to stop serving the reported token')
  t.equal(mints(), 2, 'one new mint replaced it')
})

t.test('a stale report elsewhere leaves this replica\'s newer token alone', async (t) => {
  const { first, second, mints } = await twoReplicas(t)
  const old = await postToken(first, body)
  await call(first.url, 'POST', '/v1/tokens/invalidate', body)
  const fresh = await postToken(first, body)

  const stale = { ...body, token: old.json.token }
  t.equal((await call(second.url, 'POST', '/v1/tokens/invalidate', stale)).status, 204)
  const again = await postToken(first, body)
  t.equal(again.json.token, fresh.json.token)
  t.equal(again.headers['cache-status'], 'unit-token-broker; hit', 'served from its own tier')
  t.equal(mints(), 2)
})

/** Redis stops taking the broker's writes (its scripts), without closing any connection. */
async function refuseWrites (admin: Redis, refuse: boolean): Promise<void> {
  await admin.call('ACL', 'SETUSER', 'default', refuse ? '-@scripting' : '+@all')
}

t.test('a token whose write failed reaches Redis once Redis takes writes again', async (t) => {
  const server = await startRedisServer()
  t.teardown(() => server.stop())
  const env = { REDIS_URL: server.url }
  const { sandbox, broker, partnerToken, clock } = await setup(t, env)
  const admin = new Redis(server.url)
  t.teardown(() => admin.disconnect())
  const tokenKeys = async (): Promise<number> => (await admin.keys('utb:token:*')).length

  await refuseWrites(admin, true)
  const minted = await postToken(broker, body)
  t.equal(minted.status, 200)
  t.equal(await tokenKeys(), 0, 'the write failed')
  clock.advance(1000)
  t.equal((await postToken(broker, body)).json.token, minted.json.token, 'served from memory')
  t.equal(await tokenKeys(), 0, 'and tried again, in vain')

  await refuseWrites(admin, false)
  t.equal(await tokenKeys(), 0, 'nothing is written without a request for it')
  clock.advance(1000)
  t.equal((await postToken(broker, body)).json.token, minted.json.token)
  await until(async () => await tokenKeys() === 1, 'the token in Redis')
  const replica = await startBroker(t, { unitUrl: sandbox.url, partnerToken, env, clock })
  t.equal((await postToken(replica, body)).json.token, minted.json.token, 'shared again')
  t.equal(sandbox.count('mint'), 1)
  t.equal(logged(broker.logs, 'token_saved_late').length, 1)
})

t.test('a token whose write failed gives way to a newer one in Redis', async (t) => {
  const server = await startRedisServer()
  t.teardown(() => server.stop())
  const { broker, clock } = await setup(t, {
    REDIS_URL: server.url, TOKEN_ENCRYPTION_DISABLED: 'true'
  })
  const admin = new Redis(server.url)
  t.teardown(() => admin.disconnect())

  await refuseWrites(admin, true)
  const kept = await postToken(broker, body)
  await refuseWrites(admin, false)
  // A newer token reaches Redis without news of it (written while this replica was not listening).
  const redisKey = `utb:token:{${cacheKey({
    upstream: broker.config.unitApiUrl.href, sourceIps: [], lifetimeSeconds: 86400, ...body
  })}}`
  await admin.set(redisKey,
    [clock.now() + 500, 86400, tokenFingerprint('newer-token'), 'newer-token'].join(' '))

  clock.advance(1000)
  t.equal((await postToken(broker, body)).json.token, kept.json.token, 'its own, once more')
  await until(async () => (await postToken(broker, body)).json.token === 'newer-token',
    'this replica to take up the newer token')
  t.match(await admin.get(redisKey), / newer-token$/, 'which Redis kept')
  t.equal(logged(broker.logs, 'token_superseded').length, 1)
})

t.test('news that never arrives costs at most ten seconds of a replaced or dropped token',
  async (t) => {
    const server = await startRedisServer()
    t.teardown(() => server.stop())
    const { broker, clock, sandbox } = await setup(t, {
      REDIS_URL: server.url, TOKEN_ENCRYPTION_DISABLED: 'true'
    })
    const admin = new Redis(server.url)
    t.teardown(() => admin.disconnect())
    const held = await postToken(broker, body)
    const [redisKey = ''] = await admin.keys('utb:token:*')

    // Written behind the replica's back: no news of it on the channel.
    await admin.set(redisKey,
      [clock.now(), 86400, tokenFingerprint('replaced-token'), 'replaced-token'].join(' '))
    clock.advance(9_000)
    t.equal((await postToken(broker, body)).json.token, held.json.token, 'within 10 s: its own')
    clock.advance(1_000)
    await until(async () => (await postToken(broker, body)).json.token === 'replaced-token',
      'the replica to serve what Redis holds')

    await admin.del(redisKey)
    clock.advance(10_000)
    await until(async () => (await postToken(broker, body)).json.token !== 'replaced-token',
      'the replica to let the dropped token go')
    t.equal(sandbox.count('mint'), 2, 'and mint a new one')
    t.equal(logged(broker.logs, 'memory_entry_stale').length, 2)
  })

t.test('a token a caller reported is never written back late', async (t) => {
  const redis = await testRedis(t)
  const client = new Redis(redis.url)
  t.teardown(() => client.disconnect())
  const store = new RedisTokenStore(client, {
    prefix: redis.prefix, keyRing: () => undefined, log: createLogger('silent')
  })
  const held = (token: string): StoredToken =>
    ({ token, fingerprint: tokenFingerprint(token), issuedAt: Date.now(), lifetimeSeconds: 86400 })

  // One replica holds the token unwritten; the caller reports it to another, whose delete finds none.
  const reported = held('reported-token')
  t.equal(await store.delete('entry', reported.fingerprint), false)
  t.equal(await store.restore('entry', reported, 60_000), false, 'its late write is refused')
  t.equal(await client.exists(store.keyOf('entry')), 0)
  t.equal(await store.restore('entry', held('another-token'), 60_000), true,
    'another token still is')
})
