import t from 'tap'
import { call, postToken } from './helpers/broker.js'
import { ORG_1, ORG_2, setup } from './helpers/fixture.js'

t.test('the first request mints, the second is served from the cache', async (t) => {
  const { sandbox, broker, clock } = await setup(t)

  const first = await postToken(broker, { orgId: ORG_1, scopes: ['customers', 'cards'] })
  t.equal(first.status, 200)
  t.equal(first.headers['cache-status'], 'unit-token-broker; fwd=miss')
  t.equal(first.headers['cache-control'], 'private, max-age=69120')
  t.match(first.json, {
    orgId: ORG_1,
    scopes: ['cards', 'customers'],
    expiresAt: new Date(clock.now() + 86400_000).toISOString(),
    expiresIn: 86400
  })
  t.equal(sandbox.count('mint'), 1)
  t.match(sandbox.mints[0], { orgId: ORG_1, scopes: ['cards', 'customers'], expiresIn: 86400 })

  clock.advanceSeconds(100)
  const second = await postToken(broker, { orgId: ORG_1, scopes: ['customers', 'cards'] })
  t.equal(second.status, 200)
  t.equal(second.headers['cache-status'], 'unit-token-broker; hit')
  t.equal(second.headers['cache-control'], 'private, max-age=69020')
  t.equal(second.json.token, first.json.token)
  t.equal(second.json.expiresIn, 86300)
  t.equal(sandbox.count('mint'), 1, 'the hit made no call to Unit')
})

t.test('the token reads the org through Unit', async (t) => {
  const { sandbox, broker } = await setup(t)
  const { json } = await postToken(broker, { orgId: ORG_1, scopes: 'customers cards' })

  const customers = await call(sandbox.url, 'GET', '/customers?page[limit]=2', undefined,
    { authorization: `Bearer ${json.token as string}` })
  t.equal(customers.status, 200)
  t.equal(customers.json.data.length, 2)
  t.match(customers.json.data[0].type, /Customer$/)
})

t.test('every spelling of one scope set shares one entry', async (t) => {
  const { sandbox, broker } = await setup(t)
  const spellings = ['cards customers', ['customers', 'cards'], ['cards', 'cards', 'customers']]
  const tokens = new Set<string>()
  for (const scopes of spellings) {
    const { json } = await postToken(broker, { orgId: ORG_1, scopes })
    t.same(json.scopes, ['cards', 'customers'])
    tokens.add(json.token)
  }
  t.equal(tokens.size, 1)
  t.equal(sandbox.count('mint'), 1)
})

t.test('different orgs or scope sets never share an entry', async (t) => {
  const { sandbox, broker } = await setup(t)
  const requests = [
    { orgId: ORG_1, scopes: ['customers'] },
    { orgId: ORG_1, scopes: ['customers', 'cards'] },
    { orgId: ORG_1, scopes: ['cards'] },
    { orgId: ORG_2, scopes: ['customers'] },
    { orgId: ORG_2, scopes: ['customers', 'cards'] }
  ]
  const tokens = new Set<string>()
  for (const body of requests) {
    const answer = await postToken(broker, body)
    t.equal(answer.headers['cache-status'], 'unit-token-broker; fwd=miss')
    tokens.add(answer.json.token)
  }
  t.equal(tokens.size, requests.length)
  t.equal(sandbox.count('mint'), requests.length)
})

t.test('100 concurrent requests for a cold entry share one mint', async (t) => {
  const { sandbox, broker } = await setup(t)
  sandbox.setFault('mint', { kind: 'latency', ms: 100 })

  const answers = await Promise.all(Array.from({ length: 100 }, () =>
    postToken(broker, { orgId: ORG_2, scopes: ['transactions', 'accounts'] })))
  t.same(answers.map((a) => a.status), Array(100).fill(200))
  t.equal(new Set(answers.map((a) => a.json.token)).size, 1, 'everyone got the same token')
  t.equal(sandbox.count('mint'), 1)
})

t.test('source IPs and lifetime are part of the mint', async (t) => {
  const { sandbox, broker } = await setup(t, {
    UNIT_SOURCE_IPS: '127.0.0.1,::1',
    TOKEN_LIFETIME_SECONDS: '3600'
  })
  const answer = await postToken(broker, { orgId: ORG_1, scopes: ['accounts'] })
  t.equal(answer.json.expiresIn, 3600)
  t.match(sandbox.mints[0], { sourceIp: '127.0.0.1,::1', expiresIn: 3600 })
})
