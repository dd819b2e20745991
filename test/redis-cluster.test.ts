import t from 'tap'
import { call, postToken, startBroker } from './helpers/broker.js'
import { ORG_1, ORG_2, setup } from './helpers/fixture.js'
import { startRedisCluster } from './helpers/redis.js'

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
  const again = await postToken(broker, bodies[0])
  t.not(again.json.token, minted[0]?.json.token, 'the invalidation reached the first replica')
  t.equal((await call(broker.url, 'GET', '/readyz')).status, 200)
})
