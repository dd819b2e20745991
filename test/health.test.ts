import t from 'tap'
import { call, postToken } from './helpers/broker.js'
import { ORG_1, setup, until } from './helpers/fixture.js'

t.test('/healthz answers while the process runs, even with Unit down', async (t) => {
  const { sandbox, broker } = await setup(t)
  await sandbox.close()
  const answer = await call(broker.url, 'GET', '/healthz')
  t.equal(answer.status, 200)
  t.same(answer.json, { status: 'ok' })
})

t.test('/readyz is ready with a working store before Unit was ever asked', async (t) => {
  const { broker } = await setup(t)
  const answer = await call(broker.url, 'GET', '/readyz')
  t.equal(answer.status, 200)
  t.same(answer.json, { status: 'ready', checks: { store: 'ok', partnerToken: 'unknown' } })
})

t.test('a request id from x-request-id is carried into the logs and the answer', async (t) => {
  const { broker } = await setup(t)
  const answer = await call(broker.url, 'GET', '/v1/orgs', undefined,
    { 'x-request-id': 'trace-1234' })
  t.equal(answer.status, 200)
  t.ok(broker.logs.some((line) => JSON.parse(line).reqId === 'trace-1234'))
})

t.test('a rejected partner token makes the broker unready until Unit takes it again',
  async (t) => {
    const { sandbox, broker, clock, partnerToken } = await setup(t)
    sandbox.setPartnerTokens(['another'])
    t.equal((await postToken(broker, { orgId: ORG_1, scopes: 'cards' })).status, 502)
    const before = sandbox.count('orgs')
    const unready = await call(broker.url, 'GET', '/readyz')
    t.equal(unready.status, 503)
    t.same(unready.json.checks, { store: 'ok', partnerToken: 'rejected' })
    const line = broker.logs.find((entry) => entry.includes('"msg":"not ready"'))
    t.match(line, /"partnerTokenState":"rejected"/)

    t.equal(sandbox.count('orgs'), before, 'no recheck while the partner token is held back')
    clock.advanceSeconds(30)
    await call(broker.url, 'GET', '/readyz')
    await until(() => sandbox.count('orgs') === before + 1, 'the first recheck')
    sandbox.setPartnerTokens([partnerToken])
    const asked = sandbox.count('orgs')
    await call(broker.url, 'GET', '/readyz')
    t.equal(sandbox.count('orgs'), asked, 'Unit is asked again at most every 30 s')
    clock.advanceSeconds(30)
    await call(broker.url, 'GET', '/readyz')
    await until(async () => (await call(broker.url, 'GET', '/readyz')).status === 200,
      'readiness once Unit takes the token again')
  })
