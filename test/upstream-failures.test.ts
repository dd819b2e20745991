import t from 'tap'
import { call, postToken } from './helpers/broker.js'
import { ORG_1, setup } from './helpers/fixture.js'

const body = { orgId: ORG_1, scopes: ['cards'] }
const other = { orgId: ORG_1, scopes: ['accounts'] }

const cases = [
  {
    name: 'Unit answering 500',
    fault: { kind: 'status' as const, status: 500 },
    status: 503,
    code: 'upstream_unavailable'
  },
  {
    name: 'Unit answering 429 with Retry-After',
    fault: { kind: 'status' as const, status: 429, headers: { 'retry-after': '7' } },
    status: 503,
    code: 'upstream_unavailable',
    retryAfter: '7'
  },
  {
    name: 'Unit hanging past the timeout',
    fault: { kind: 'hang' as const },
    status: 504,
    code: 'upstream_timeout'
  },
  {
    name: 'Unit answering 201 without a token',
    fault: { kind: 'malformed' as const },
    status: 503,
    code: 'upstream_unavailable'
  },
  {
    name: 'Unit refusing the mint with 403',
    fault: { kind: 'status' as const, status: 403 },
    status: 502,
    code: 'upstream_rejected'
  }
]

for (const c of cases) {
  t.test(`${c.name}: ${c.status} ${c.code}, cached tokens still served`, async (t) => {
    const { sandbox, broker } = await setup(t, { UPSTREAM_TIMEOUT_MS: '300' })
    const cached = await postToken(broker, body)
    sandbox.setFault('mint', c.fault)

    const failed = await postToken(broker, other)
    t.equal(failed.status, c.status)
    t.equal(failed.headers['content-type'], 'application/problem+json; charset=utf-8')
    t.match(failed.json, { status: c.status, code: c.code, type: String, title: String })
    t.equal(failed.headers['retry-after'], c.retryAfter)

    const served = await postToken(broker, body)
    t.equal(served.status, 200)
    t.equal(served.json.token, cached.json.token)
  })
}

t.test('Unit rejecting the partner token: 502 and not ready', async (t) => {
  const { sandbox, broker } = await setup(t)
  const cached = await postToken(broker, body)
  t.equal((await call(broker.url, 'GET', '/readyz')).status, 200)

  sandbox.setPartnerTokens(['a-newer-partner-token'])
  const failed = await postToken(broker, other)
  t.equal(failed.status, 502)
  t.equal(failed.json.code, 'partner_credential_rejected')

  const ready = await call(broker.url, 'GET', '/readyz')
  t.equal(ready.status, 503)
  t.match(ready.json, { status: 'unready', checks: { store: 'ok', partnerToken: 'rejected' } })

  const served = await postToken(broker, body)
  t.equal(served.json.token, cached.json.token, 'cached tokens keep being served')
})

t.test('Unit unreachable: 503 upstream_unavailable', async (t) => {
  const { sandbox, broker } = await setup(t)
  await sandbox.close()
  const failed = await postToken(broker, body)
  t.equal(failed.status, 503)
  t.equal(failed.json.code, 'upstream_unavailable')
})
