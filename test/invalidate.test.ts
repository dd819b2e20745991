import t from 'tap'
import { call, postToken } from './helpers/broker.js'
import { ORG_1, setup } from './helpers/fixture.js'

const body = { orgId: ORG_1, scopes: ['customers', 'accounts'] }

t.test('invalidating the cached token drops it and the next request mints', async (t) => {
  const { sandbox, broker } = await setup(t)
  const first = await postToken(broker, body)

  const dropped = await call(broker.url, 'POST', '/v1/tokens/invalidate',
    { orgId: ORG_1, scopes: 'accounts customers', token: first.json.token })
  t.equal(dropped.status, 204)
  t.equal(dropped.text, '')

  const next = await postToken(broker, body)
  t.not(next.json.token, first.json.token)
  t.equal(next.headers['cache-status'], 'unit-token-broker; fwd=miss')
  t.equal(sandbox.count('mint'), 2)
})

t.test('a stale report does not evict a fresh token', async (t) => {
  const { sandbox, broker } = await setup(t)
  const first = await postToken(broker, body)
  await call(broker.url, 'POST', '/v1/tokens/invalidate', { ...body, token: first.json.token })
  const fresh = await postToken(broker, body)

  const stale = await call(broker.url, 'POST', '/v1/tokens/invalidate',
    { ...body, token: first.json.token })
  t.equal(stale.status, 204)

  const served = await postToken(broker, body)
  t.equal(served.json.token, fresh.json.token)
  t.equal(served.headers['cache-status'], 'unit-token-broker; hit')
  t.equal(sandbox.count('mint'), 2)
})

t.test('without a token the entry is dropped whatever it holds', async (t) => {
  const { sandbox, broker } = await setup(t)
  await postToken(broker, body)
  const dropped = await call(broker.url, 'POST', '/v1/tokens/invalidate', body)
  t.equal(dropped.status, 204)
  await postToken(broker, body)
  t.equal(sandbox.count('mint'), 2)
})

t.test('invalidation is checked like a token request and never calls Unit', async (t) => {
  const { sandbox, broker } = await setup(t)
  const wrong = await call(broker.url, 'POST', '/v1/tokens/invalidate',
    { orgId: ORG_1, scopes: ['payments-write'] })
  t.equal(wrong.status, 400)
  t.equal(wrong.json.code, 'invalid_request')
  t.equal(sandbox.calls.length, 0)
})
