import createClient from 'openapi-fetch'
import t from 'tap'
import type { paths } from './client/broker-api.js'
import { ORG_1, setup } from './helpers/fixture.js'

// The calls below are type-checked against the types generated from
// openapi.yaml: a change to the API that breaks a caller breaks `npm test`.

t.test('a service lists orgs and gets a token with the generated client', async (t) => {
  const { broker, sandbox } = await setup(t)
  const client = createClient<paths>({
    baseUrl: broker.url, headers: { authorization: `Bearer ${broker.callerKey ?? ''}` }
  })

  const orgs = await client.GET('/v1/orgs')
  t.equal(orgs.response.status, 200)
  t.ok(orgs.data?.orgs.some((org) => org.orgId === ORG_1))

  const body = { orgId: ORG_1, scopes: ['customers', 'cards'] }
  const first = await client.POST('/v1/tokens', { body })
  t.equal(first.response.headers.get('cache-status'), 'unit-token-broker; fwd=miss')
  t.same(first.data?.scopes, ['cards', 'customers'])
  t.equal(first.data?.expiresIn, 86400)

  const again = await client.POST('/v1/tokens', { body: { ...body, scopes: 'cards customers' } })
  t.equal(again.response.headers.get('cache-status'), 'unit-token-broker; hit')
  t.equal(again.data?.token, first.data?.token)
  t.equal(sandbox.count('mint'), 1)
})

t.test('a problem answer reads as the document\'s Problem', async (t) => {
  const { broker } = await setup(t)
  const client = createClient<paths>({
    baseUrl: broker.url, headers: { authorization: `Bearer ${broker.callerKey ?? ''}` }
  })

  const refused = await client.POST('/v1/tokens', {
    body: { orgId: ORG_1, scopes: ['payments-write'] }
  })
  t.equal(refused.data, undefined)
  t.equal(refused.response.status, 400)
  t.match(refused.response.headers.get('content-type'), /^application\/problem\+json/)
  t.match(refused.error, {
    type: 'urn:unit-token-broker:problem:invalid_request',
    status: 400,
    code: 'invalid_request',
    detail: /write scope/
  })

  const unshared = await client.POST('/v1/tokens', {
    body: { orgId: 'bm90U2hhcmVk', scopes: ['customers'] }
  })
  t.equal(unshared.error?.code, 'org_not_shared')

  const anonymous = createClient<paths>({ baseUrl: broker.url })
  const unauthorized = await anonymous.GET('/v1/orgs')
  t.equal(unauthorized.response.status, 401)
  t.equal(unauthorized.error?.code, 'unauthorized')
})
