import { Redis } from 'ioredis'
import t from 'tap'
import { cacheKey } from '../src/tokens/cache-key.js'
import { call, postToken, startBroker } from './helpers/broker.js'
import { ORG_1, ORG_2, setup, until } from './helpers/fixture.js'
import { replicated, startRedisCluster, type RedisServer } from './helpers/redis.js'

const SCOPES = ['cards', 'customers', 'accounts', 'transactions', 'authorizations',
  'statements', 'payments', 'counterparties', 'events']

t.test('a 3-master Redis Cluster works end to end', async (t) => {
  const nodes = await startRedisCluster(t.testdir())
  t.teardown(() => Promise.all(nodes.map(async (node) => await node.stop())))
  const env = {
    REDIS_CLUSTER_NODES: nodes.map((node) => `127.0.0.1:${node.port}`).join(','),
    REDIS_KEY_PREFIX: 'utb-cluster-test:'
  }
  const { sandbox, broker, partnerToken, clock } = await setup(t, env)
  const replica = await startBroker(t, { unitUrl: sandbox.url, partnerToken, env, clock })

  // Entries for several orgs and scope sets land in different slots across the masters.
  const bodies = [ORG_1, ORG_2].flatMap((orgId) =>
    ['cards', 'customers', 'accounts'].map((scopes) => ({ orgId, scopes })))
  const minted = await Promise.all(bodies.map(async (body) => await postToken(broker, body)))
  const shared = await Promise.all(bodies.map(async (body) => await postToken(replica, body)))
  t.same(minted.map((answer) => answer.status), bodies.map(() => 200))
  t.same(shared.map((answer) => answer.json.token), minted.map((answer) => answer.json.token),
    'the other replica reads every entry from the cluster')
  t.same(shared.map((answer) => answer.headers['cache-status']),
    bodies.map(() => 'unit-token-broker; hit'))
  t.equal(sandbox.count('mint'), bodies.length)

  const dropped = await call(replica.url, 'POST', '/v1/tokens/invalidate', bodies[0])
  t.equal(dropped.status, 204)
  // The news crosses the cluster bus to the node the first replica listens on.
  await until(async () => (await postToken(broker, bodies[0])).json.token !== minted[0]?.json.token,
    'the invalidation to reach the first replica')
  t.equal((await call(broker.url, 'GET', '/readyz')).status, 200)
})

t.test('a master that hangs is left for its replica once the cluster promotes it', async (t) => {
  const nodes = await startRedisCluster(t.testdir(), { standby: true })
  t.teardown(() => Promise.all(nodes.map(async (node) => await node.stop())))
  const [hung, alive, , standby] = nodes as [RedisServer, RedisServer, RedisServer, RedisServer]
  const prefix = 'utb-cluster-test:'
  const env = {
    REDIS_CLUSTER_NODES: nodes.slice(0, 3).map((node) => `127.0.0.1:${node.port}`).join(','),
    REDIS_KEY_PREFIX: prefix
  }
  const { broker, sandbox, clock } = await setup(t, env)
  const peer = new Redis(alive.url)
  t.teardown(() => peer.disconnect())

  // Two entries whose slot is the first master's, the one that will hang.
  const candidates = [ORG_1, ORG_2].flatMap((orgId) =>
    SCOPES.map((scope) => ({ orgId, scopes: [scope] })))
  const onFirstMaster = []
  for (const body of candidates) {
    const key = `${prefix}token:{${cacheKey({
      upstream: broker.config.unitApiUrl.href, sourceIps: [], lifetimeSeconds: 86400, ...body
    })}}`
    if (Number(await peer.call('CLUSTER', 'KEYSLOT', key)) <= 5460) onFirstMaster.push(body)
  }
  const [before, after] = onFirstMaster as [typeof candidates[0], typeof candidates[0]]

  const first = await postToken(broker, before)
  t.equal(first.status, 200)
  t.equal(await replicated(hung), 1, 'the replica has the entry')

  hung.hang()
  await until(async () => {
    const slots = await peer.call('CLUSTER', 'SLOTS') as Array<[number, number, [string, number]]>
    return slots.some(([from, , [, port]]) => from === 0 && port === standby.port)
  }, 'the cluster to promote the replica', 30000)
  await until(async () => (await call(broker.url, 'GET', '/readyz')).status === 200,
    'readiness with the new master', 15000)

  const fresh = await postToken(broker, after)
  t.equal(fresh.status, 200)
  const promoted = new Redis(standby.url)
  t.teardown(() => promoted.disconnect())
  // Its write may have gone to the frozen master before the slot map changed: it is made again.
  await until(async () => {
    clock.advance(1000)
    t.equal((await postToken(broker, after)).json.token, fresh.json.token)
    return (await promoted.keys(`${prefix}token:*`)).length === 2
  }, 'both entries on the new master', 15000)
  const again = await postToken(broker, before)
  t.equal(again.json.token, first.json.token)
  t.equal(sandbox.count('mint'), 2)
})
