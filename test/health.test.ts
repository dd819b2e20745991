import t from 'tap'
import { call } from './helpers/broker.js'
import { setup } from './helpers/fixture.js'

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
