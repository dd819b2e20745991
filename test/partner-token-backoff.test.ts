import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { call, postToken, secretsDir } from './helpers/broker.js'
import { logged } from './helpers/calls.js'
import { canaryPartnerToken, ORG_1, setup, until, type Fixture } from './helpers/fixture.js'

const scopes = ['accounts', 'customers', 'transactions', 'events', 'payments']

/** Every call Unit received, mints and org lists alike. */
function unitCalls (sandbox: { calls: unknown[] }): number {
  return sandbox.calls.length
}

t.test('a rejected partner token: one call to Unit per backoff window, 5 s doubling to 5 min',
  async (t) => {
    const { sandbox, broker, clock } = await setup(t)
    const cached = await postToken(broker, { orgId: ORG_1, scopes: 'cards' })
    sandbox.setPartnerTokens(['a-token-the-broker-does-not-have'])

    const rejected = await postToken(broker, { orgId: ORG_1, scopes: 'accounts' })
    t.equal(rejected.status, 502)
    t.equal(rejected.json.code, 'partner_credential_rejected')
    t.equal(rejected.headers['retry-after'], '5')
    t.equal(unitCalls(sandbox), 3, 'the org list, the cached mint and the refused one')
    t.same(clock.sleeps, [], 'a 401 is not retried')

    const served = await postToken(broker, { orgId: ORG_1, scopes: 'cards' })
    t.equal(served.json.token, cached.json.token, 'cached tokens keep being served')
    t.equal((await call(broker.url, 'GET', '/readyz')).status, 503)

    let calls = unitCalls(sandbox)
    for (const windowSeconds of [5, 10, 20, 40, 80, 160, 300, 300]) {
      clock.advanceSeconds(windowSeconds - 1)
      const held = await postToken(broker, { orgId: ORG_1, scopes: 'customers' })
      t.equal(held.status, 502)
      t.equal(held.headers['retry-after'], '1')
      t.equal(unitCalls(sandbox), calls, `no call within the ${windowSeconds} s window`)

      clock.advanceSeconds(1)
      const probes = await Promise.all(scopes.map((scope) =>
        postToken(broker, { orgId: ORG_1, scopes: scope })))
      t.same(new Set(probes.map((answer) => answer.status)), new Set([502]))
      calls += 1
      t.equal(unitCalls(sandbox), calls, `one call after the ${windowSeconds} s window`)
    }
    t.same(logged(broker.logs, 'partner_token_held').map((entry) => entry.windowMs),
      [5, 10, 20, 40, 80, 160, 300, 300, 300].map((seconds) => seconds * 1000))
  })

t.test('a new partner token file resumes minting at once', async (t) => {
  const file = join(secretsDir(t), 'partner-token')
  const first = canaryPartnerToken()
  writeFileSync(file, first)
  const { sandbox, broker } = await setup(t, { UNIT_PARTNER_TOKEN_FILE: file }, first)
  await postToken(broker, { orgId: ORG_1, scopes: 'cards' })
  const next = canaryPartnerToken()
  sandbox.setPartnerTokens([next])
  t.equal((await postToken(broker, { orgId: ORG_1, scopes: 'accounts' })).status, 502)
  t.equal((await postToken(broker, { orgId: ORG_1, scopes: 'accounts' })).status, 502)
  const calls = unitCalls(sandbox)

  writeFileSync(file, next)
  broker.broker.secrets.reload()
  const minted = await postToken(broker, { orgId: ORG_1, scopes: 'accounts' })
  t.equal(minted.status, 200, 'no waiting out the window')
  t.equal(unitCalls(sandbox), calls + 1)
  t.equal((await call(broker.url, 'GET', '/readyz')).status, 200)
})

/** A broker whose partner token Unit has just rejected, the org list loaded before. */
async function rejected (t: Parameters<typeof setup>[0]): Promise<Fixture & { calls: number }> {
  const fixture = await setup(t)
  await call(fixture.broker.url, 'GET', '/v1/orgs')
  fixture.sandbox.setPartnerTokens(['another'])
  const answer = await postToken(fixture.broker, { orgId: ORG_1, scopes: 'cards' })
  if (answer.status !== 502) throw new Error(`expected a 502, got ${answer.status}`)
  return { ...fixture, calls: unitCalls(fixture.sandbox) }
}

t.test('a probe that Unit accepts lifts the hold', async (t) => {
  const { sandbox, broker, clock, partnerToken, calls } = await rejected(t)

  sandbox.setPartnerTokens([partnerToken])
  t.equal((await postToken(broker, { orgId: ORG_1, scopes: 'cards' })).status, 502,
    'held until the window ends, though Unit would take the token again')
  clock.advanceSeconds(5)
  t.equal((await postToken(broker, { orgId: ORG_1, scopes: 'cards' })).status, 200)
  t.equal((await postToken(broker, { orgId: ORG_1, scopes: 'accounts' })).status, 200)
  t.equal(unitCalls(sandbox), calls + 2)
  t.equal(logged(broker.logs, 'partner_token_accepted').length, 1)
})

t.test('readiness asks Unit about a rejected token only when the window allows', async (t) => {
  const { sandbox, broker, clock, partnerToken, calls } = await rejected(t)
  t.equal((await call(broker.url, 'GET', '/readyz')).status, 503)
  t.equal(unitCalls(sandbox), calls, 'inside the window readiness does not ask')

  sandbox.setPartnerTokens([partnerToken])
  clock.advanceSeconds(30)
  await call(broker.url, 'GET', '/readyz')
  await until(async () => (await call(broker.url, 'GET', '/readyz')).status === 200,
    'readiness once the recheck, as the probe, passed')
  t.equal(unitCalls(sandbox), calls + 1, 'one call: the recheck')
})
