import t from 'tap'
import { postToken } from './helpers/broker.js'
import { ORG_1, ORG_2, mintsLogged, setup, until } from './helpers/fixture.js'

const ORG_3 = 'q+7/Xz3kL0A='
const SCOPES = ['customers', 'accounts', 'cards', 'transactions', 'authorizations', 'statements',
  'payments', 'counterparties', 'events', 'check-deposits', 'received-payments']
/** 33 entries: every org with every single scope. */
const BODIES = [ORG_1, ORG_2, ORG_3].flatMap((orgId) => SCOPES.map((scopes) => ({ orgId, scopes })))
const LIFETIME = 86400

async function askAll (broker: { url: string }): Promise<void> {
  for (const body of BODIES) await postToken(broker, body)
}

/** Waits until every renewal the last requests started has reached Unit and been logged. */
async function settled (fixture: Awaited<ReturnType<typeof setup>>, cold: number): Promise<void> {
  const { sandbox, broker } = fixture
  await until(() => sandbox.calls.every((call) => call.status !== 0), 'Unit to answer')
  await until(() => mintsLogged(broker, 'renewal') === sandbox.count('mint') - cold,
    'the renewals to be logged')
}

t.test('entries minted together come due for renewal at different times', async (t) => {
  const fixture = await setup(t, { CALLER_RATE_LIMIT_PER_MINUTE: '100000' })
  const { broker, clock, sandbox } = fixture
  await askAll(broker)
  const cold = sandbox.count('mint')

  // From 10 % of the refresh age before the refresh point to the point itself, in tenths.
  const refreshAge = LIFETIME * 0.8
  clock.advanceSeconds(refreshAge * 0.9 - 1)
  const renewedBy: number[] = []
  for (let step = 0; step <= 10; step++) {
    await askAll(broker)
    await settled(fixture, cold)
    renewedBy.push(mintsLogged(broker, 'renewal'))
    clock.advanceSeconds(refreshAge * 0.01 + 0.2)
  }
  t.equal(renewedBy[0], 0, 'none before the earliest point')
  // A renewal the last requests started may reach Unit after the step's count was taken.
  await until(() => mintsLogged(broker, 'renewal') >= BODIES.length, 'all by the refresh point')
  await settled(fixture, cold)
  t.equal(mintsLogged(broker, 'renewal'), BODIES.length, 'each entry renewed once')
  const perStep = renewedBy.map((count, i) => count - (renewedBy[i - 1] ?? 0))
  t.ok(Math.max(...perStep) < BODIES.length / 2, `spread over the window: ${perStep.join(' ')}`)
})

t.test('renewals are paced to their share of Unit\'s limit, fleet-wide', async (t) => {
  const { broker, clock, sandbox } = await setup(t, {
    UNIT_RENEWALS_PER_MINUTE: '5', CALLER_RATE_LIMIT_PER_MINUTE: '100000'
  })
  await askAll(broker)
  clock.advanceSeconds(LIFETIME * 0.8 + 1)
  const cold = sandbox.count('mint')

  await askAll(broker)
  await until(() => mintsLogged(broker, 'renewal') === 5, 'the first minute\'s renewals')
  clock.advanceSeconds(6)
  await askAll(broker)
  t.equal(sandbox.count('mint') - cold, 5, 'five in the first minute, though 33 were due')

  clock.advanceSeconds(60)
  await askAll(broker)
  await until(() => mintsLogged(broker, 'renewal') === 10, 'the next minute\'s renewals')
  t.equal(sandbox.count('mint') - cold, 10)
})

t.test('an idle entry is left to expire, not renewed', async (t) => {
  const { broker, clock, sandbox } = await setup(t)
  await postToken(broker, { orgId: ORG_1, scopes: 'cards' })
  await postToken(broker, { orgId: ORG_2, scopes: 'cards' })
  clock.advanceSeconds(LIFETIME * 0.8 + 1)
  await postToken(broker, { orgId: ORG_1, scopes: 'cards' })
  await until(() => mintsLogged(broker, 'renewal') === 1, 'the busy entry\'s renewal')
  clock.advanceSeconds(LIFETIME * 0.2)
  t.equal(sandbox.count('mint'), 3, 'the idle entry cost no renewal')
})
