import t from 'tap'
import { SANDBOX_ORGS } from '../src/sandbox/index.js'
import { call } from './helpers/broker.js'
import { setup } from './helpers/fixture.js'

t.test('GET /v1/orgs lists the orgs shared with the partner', async (t) => {
  const { broker } = await setup(t)
  const answer = await call(broker.url, 'GET', '/v1/orgs')
  t.equal(answer.status, 200)
  t.same(answer.json, { orgs: SANDBOX_ORGS.map(({ orgId, orgName }) => ({ orgId, orgName })) })
})

t.test('the org list is reused for ORGS_CACHE_SECONDS', async (t) => {
  const { sandbox, broker, clock } = await setup(t, { ORGS_CACHE_SECONDS: '60' })
  await call(broker.url, 'GET', '/v1/orgs')
  clock.advanceSeconds(59)
  await call(broker.url, 'GET', '/v1/orgs')
  t.equal(sandbox.count('orgs'), 1)

  clock.advanceSeconds(2)
  await call(broker.url, 'GET', '/v1/orgs')
  t.equal(sandbox.count('orgs'), 2)
})

t.test('when Unit fails, the last org list keeps serving', async (t) => {
  const { sandbox, broker, clock } = await setup(t)
  await call(broker.url, 'GET', '/v1/orgs')
  sandbox.setFault('orgs', { kind: 'status', status: 503 })
  clock.advanceSeconds(61)
  const answer = await call(broker.url, 'GET', '/v1/orgs')
  t.equal(answer.status, 200)
  t.equal(answer.json.orgs.length, SANDBOX_ORGS.length)
})

t.test('with no list yet, a Unit failure is the answer', async (t) => {
  const { sandbox, broker } = await setup(t)
  sandbox.setFault('orgs', { kind: 'status', status: 500 })
  const answer = await call(broker.url, 'GET', '/v1/orgs')
  t.equal(answer.status, 503)
  t.equal(answer.json.code, 'upstream_unavailable')
})
