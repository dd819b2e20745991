import { Redis } from 'ioredis'
import t from 'tap'
import { cacheKey } from '../src/tokens/cache-key.js'
import { call, postToken, startBroker } from './helpers/broker.js'
import { ORG_1, setup, until } from './helpers/fixture.js'
import { replicated, startRedisServer, startSentinel } from './helpers/redis.js'

t.test('the broker finds its Redis through a Sentinel', async (t) => {
  const master = await startRedisServer()
  t.teardown(() => master.stop())
  const sentinel = await startSentinel(t.testdir(), master.port)
  t.teardown(() => sentinel.stop())
  const env = {
    REDIS_SENTINELS: `127.0.0.1:${sentinel.port}`,
    REDIS_SENTINEL_MASTER: 'mymaster',
    REDIS_KEY_PREFIX: 'utb-sentinel-test:'
  }
  const { sandbox, broker, partnerToken, clock } = await setup(t, env)
  const replica = await startBroker(t, { unitUrl: sandbox.url, partnerToken, env, clock })

  const minted = await postToken(broker, { orgId: ORG_1, scopes: 'cards' })
  const shared = await postToken(replica, { orgId: ORG_1, scopes: 'cards' })
  t.equal(minted.status, 200)
  t.equal(shared.json.token, minted.json.token, 'the second replica reads it through the master')
  t.equal(sandbox.count('mint'), 1)
  t.equal((await call(broker.url, 'GET', '/readyz')).status, 200)
})

t.test('a master that hangs is left for the replica Sentinel promotes', async (t) => {
  const master = await startRedisServer()
  t.teardown(() => master.stop())
  const standby = await startRedisServer(undefined, ['--replicaof', '127.0.0.1', String(master.port)])
  t.teardown(() => standby.stop())
  const sentinel = await startSentinel(t.testdir(), master.port)
  t.teardown(() => sentinel.stop())
  const watcher = new Redis(sentinel.url)
  t.teardown(() => watcher.disconnect())
  await until(async () => (await watcher.call('SENTINEL', 'REPLICAS', 'mymaster') as unknown[])
    .length === 1, 'Sentinel to know the replica', 15000)

  const env = {
    REDIS_SENTINELS: `127.0.0.1:${sentinel.port}`,
    REDIS_SENTINEL_MASTER: 'mymaster',
    REDIS_KEY_PREFIX: 'utb-sentinel-test:'
  }
  const { broker, sandbox, clock } = await setup(t, env)
  const first = await postToken(broker, { orgId: ORG_1, scopes: 'cards' })
  t.equal(first.status, 200)
  t.equal(await replicated(master), 1, 'the replica has the entry')

  // Frozen, not dead: the broker's connections to it stay open and unanswered.
  master.hang()
  await until(async () => {
    const [, port] = await watcher.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster') as string[]
    return port === String(standby.port)
  }, 'Sentinel to promote the replica', 30000)
  await until(async () => (await call(broker.url, 'GET', '/readyz')).status === 200,
    'readiness through the new master', 15000)

  const fresh = await postToken(broker, { orgId: ORG_1, scopes: 'accounts' })
  t.equal(fresh.status, 200)
  const promoted = new Redis(standby.url)
  t.teardown(() => promoted.disconnect())
  // Its write may have met the frozen master before the switch: requests have it made again.
  const keyOf = (scopes: string): string => `utb-sentinel-test:token:{${cacheKey({
    upstream: broker.config.unitApiUrl.href,
orgId: ORG_1,
scopes: [scopes],
sourceIps: [],
    lifetimeSeconds: 86400
  })}}`
  await until(async () => {
    clock.advance(1000)
    t.equal((await postToken(broker, { orgId: ORG_1, scopes: 'accounts' })).json.token,
      fresh.json.token)
    return await promoted.exists(keyOf('cards'), keyOf('accounts')) === 2
  }, 'both entries on the new master')
  const again = await postToken(broker, { orgId: ORG_1, scopes: 'cards' })
  t.equal(again.json.token, first.json.token, 'the first entry is read from the new master')
  t.equal(sandbox.count('mint'), 2)
})
