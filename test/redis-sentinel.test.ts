import t from 'tap'
import { call, postToken, startBroker } from './helpers/broker.js'
import { ORG_1, setup } from './helpers/fixture.js'
import { startRedisServer, startSentinel } from './helpers/redis.js'

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
