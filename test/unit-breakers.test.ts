import t from 'tap'
import type { Fault } from '../src/sandbox/index.js'
import { postToken, type Answer } from './helpers/broker.js'
import { logged, mintCalls } from './helpers/calls.js'
import { ORG_1, ORG_2, setup, until } from './helpers/fixture.js'

const ORG_3 = 'q+7/Xz3kL0A='
const FAILING: Fault = { kind: 'status', status: 500 }
/** The org list is loaded once, so that only mints reach Unit. */
const ENV = { ORGS_CACHE_SECONDS: '86400' }

function ask (broker: { url: string }, orgId: string, scopes = 'cards'): Promise<Answer> {
  return postToken(broker, { orgId, scopes })
}

/** The breaker lines of the log, as [event, breaker, orgId]. */
function breakerEvents (logs: string[]): unknown[] {
  return [...logged(logs, 'breaker_opened'), ...logged(logs, 'breaker_closed')]
    .map((entry) => [entry.event, entry.breaker, entry.orgId])
}

t.test('one broken org opens its own breaker and does not stop mints for another',
  async (t) => {
    const { sandbox, broker, clock } = await setup(t, ENV)
    sandbox.setOrgFault(ORG_1, FAILING)

    t.equal((await ask(broker, ORG_1, 'cards')).status, 503)
    t.equal(mintCalls(sandbox, ORG_1), 3, 'the first call and two retries')
    const opening = await ask(broker, ORG_1, 'accounts')
    t.equal(opening.status, 503)
    t.equal(mintCalls(sandbox, ORG_1), 5, 'the fifth failure in a row opened the breaker')
    t.equal(opening.headers['retry-after'], '10', 'the caller learns when Unit is asked again')

    const held = await ask(broker, ORG_1, 'customers')
    t.equal(held.status, 503)
    t.match(held.json, { code: 'upstream_unavailable', detail: /for this org/ })
    t.equal(held.headers['retry-after'], '10')
    t.equal(mintCalls(sandbox, ORG_1), 5, 'Unit was not called')

    const other = await ask(broker, ORG_2)
    t.equal(other.status, 200, 'another org is minted as usual')
    t.equal(mintCalls(sandbox, ORG_2), 1)
    t.same(breakerEvents(broker.logs), [['breaker_opened', 'org', ORG_1]])

    clock.advanceSeconds(10)
    t.equal((await ask(broker, ORG_1)).status, 503, 'the probe fails')
    t.equal(mintCalls(sandbox, ORG_1), 6, 'one probe, no retries behind it')
    t.equal((await ask(broker, ORG_1)).status, 503)
    t.equal(mintCalls(sandbox, ORG_1), 6)

    sandbox.setOrgFault(ORG_1, null)
    clock.advanceSeconds(10)
    t.equal((await ask(broker, ORG_1)).status, 200, 'the probe passes')
    t.equal((await ask(broker, ORG_1, 'accounts')).status, 200)
    t.equal(mintCalls(sandbox, ORG_1), 8)
    t.same(breakerEvents(broker.logs).at(-1), ['breaker_closed', 'org', ORG_1])
  })

t.test('failures across orgs open the breaker for Unit as a whole', async (t) => {
  const { sandbox, broker, clock } = await setup(t, ENV)
  sandbox.setFault('mint', FAILING)

  t.equal((await ask(broker, ORG_1)).status, 503)
  t.equal(sandbox.count('mint'), 3)
  const opening = await ask(broker, ORG_2)
  t.equal(opening.status, 503)
  t.equal(sandbox.count('mint'), 6, 'six failures in a row, as many from each of two orgs')
  t.equal(opening.headers['retry-after'], '10')

  const held = await ask(broker, ORG_3)
  t.equal(held.status, 503)
  t.match(held.json, { detail: /^Unit is failing; / })
  t.equal(sandbox.count('mint'), 6, 'an org that never failed waits too')
  t.same(breakerEvents(broker.logs), [['breaker_opened', 'unit', undefined]])

  clock.advanceSeconds(10)
  t.equal((await ask(broker, ORG_3)).status, 503)
  t.equal(sandbox.count('mint'), 7, 'one probe')
  sandbox.setFault('mint', null)
  clock.advanceSeconds(10)
  t.equal((await ask(broker, ORG_3)).status, 200)
  t.equal((await ask(broker, ORG_1, 'accounts')).status, 200)
  t.equal(sandbox.count('mint'), 9)
})

t.test('a broken org\'s failures do not add up with a blip elsewhere to stop Unit', async (t) => {
  const { sandbox, broker } = await setup(t, { ...ENV, UNIT_RETRY_ATTEMPTS: '0' })
  sandbox.setOrgFault(ORG_1, FAILING)
  for (let i = 0; i < 5; i++) t.equal((await ask(broker, ORG_1)).status, 503)
  t.equal((await ask(broker, ORG_1)).status, 503)
  t.equal(mintCalls(sandbox, ORG_1), 5, 'its own breaker opened')

  sandbox.setOrgFault(ORG_2, FAILING, 1)
  t.equal((await ask(broker, ORG_2)).status, 503, 'one failure elsewhere')
  t.equal((await ask(broker, ORG_3)).status, 200, 'Unit is still asked for other orgs')
  t.same(breakerEvents(broker.logs), [['breaker_opened', 'org', ORG_1]])
})

t.test('a broken org and a passing failure elsewhere do not stop Unit for all', async (t) => {
  const { sandbox, broker } = await setup(t, ENV)
  sandbox.setOrgFault(ORG_1, FAILING)
  t.equal((await ask(broker, ORG_1)).status, 503, 'three failures, its breaker not yet open')
  sandbox.setOrgFault(ORG_2, FAILING, 2)
  t.equal((await ask(broker, ORG_2)).status, 200, 'two failures, then its retry passes')
  t.equal((await ask(broker, ORG_3)).status, 200)
  t.same(breakerEvents(broker.logs), [])
})

t.test('an org that is still broken never spends Unit\'s probe', async (t) => {
  const { sandbox, broker, clock } = await setup(t, {
    ...ENV, UNIT_RETRY_ATTEMPTS: '0', UNIT_BREAKER_THRESHOLD: '2'
  })
  sandbox.setOrgFault(ORG_1, FAILING)
  await ask(broker, ORG_1)
  await ask(broker, ORG_1)
  sandbox.setFault('mint', FAILING)
  await ask(broker, ORG_2)
  await ask(broker, ORG_3, 'accounts')
  t.same(breakerEvents(broker.logs),
    [['breaker_opened', 'org', ORG_1], ['breaker_opened', 'unit', undefined]])

  // Unit recovers, ORG_1 does not; both breakers come to their probe together.
  sandbox.setFault('mint', null)
  clock.advanceSeconds(10)
  const calls = sandbox.count('mint')
  const waiting = await ask(broker, ORG_1)
  t.equal(waiting.status, 503)
  t.equal(waiting.headers['retry-after'], '1')
  t.equal(sandbox.count('mint'), calls, 'the broken org did not call Unit')

  t.equal((await ask(broker, ORG_2)).status, 200, 'a working org carries the probe')
  t.equal((await ask(broker, ORG_1)).status, 503, 'then the broken org has its own probe')
  t.equal((await ask(broker, ORG_3)).status, 200, 'and Unit stays open to the others')
  t.equal(sandbox.count('mint'), calls + 3)
})

t.test('a half-open breaker lets exactly one probe through', async (t) => {
  const { sandbox, broker, clock } = await setup(t, {
    ...ENV, UNIT_BREAKER_THRESHOLD: '1', UNIT_RETRY_ATTEMPTS: '0'
  })
  sandbox.setOrgFault(ORG_1, FAILING, 1)
  t.equal((await ask(broker, ORG_1)).status, 503)
  clock.advanceSeconds(10)

  // The probe is slow, so the other requests arrive while it is out.
  sandbox.setOrgFault(ORG_1, { kind: 'latency', ms: 200 }, 1)
  const answers = await Promise.all(['accounts', 'customers', 'cards', 'events']
    .map((scopes) => ask(broker, ORG_1, scopes)))
  t.same(answers.map((answer) => answer.status).sort(), [200, 503, 503, 503])
  t.same(answers.filter((answer) => answer.status === 503)
    .map((answer) => answer.headers['retry-after']), ['1', '1', '1'])
  t.equal(mintCalls(sandbox, ORG_1), 2, 'the failure and the one probe')
})

t.test('a 429 holds every org back for Retry-After', async (t) => {
  const { sandbox, broker, clock } = await setup(t, ENV)
  sandbox.setFault('mint', { kind: 'status', status: 429, headers: { 'retry-after': '7' } })
  const limited = await ask(broker, ORG_1)
  t.equal(limited.status, 503)
  t.equal(limited.headers['retry-after'], '7')
  t.equal(sandbox.count('mint'), 1, 'seven seconds do not fit in a request: no retry')

  const held = await ask(broker, ORG_2)
  t.equal(held.headers['retry-after'], '7')
  t.equal(sandbox.count('mint'), 1)
  clock.advanceSeconds(6)
  t.equal((await ask(broker, ORG_2)).headers['retry-after'], '1')
  t.equal(sandbox.count('mint'), 1)

  sandbox.setFault('mint', null)
  clock.advanceSeconds(1)
  t.equal((await ask(broker, ORG_2)).status, 200)
  t.equal(sandbox.count('mint'), 2)
})

t.test('a 429 without Retry-After holds calls back for the cool-down', async (t) => {
  const { sandbox, broker } = await setup(t, { ...ENV, UNIT_BREAKER_COOLDOWN_SECONDS: '20' })
  sandbox.setFault('mint', { kind: 'status', status: 429 })
  t.equal((await ask(broker, ORG_1)).headers['retry-after'], '20')
  t.equal((await ask(broker, ORG_2)).headers['retry-after'], '20')
  t.equal(sandbox.count('mint'), 1)
})

t.test('with the breaker open, cached tokens are served, renewals wait, none past expiry',
  async (t) => {
    const { sandbox, broker, clock } = await setup(t, { ...ENV, TOKEN_LIFETIME_SECONDS: '600' })
    const start = clock.now()
    const first = await ask(broker, ORG_1)
    sandbox.setOrgFault(ORG_1, FAILING)
    const failedRenewals = (): number => logged(broker.logs, 'mint_failed').length

    // Past the refresh point (480 s): served from the cache, renewed in the background.
    const expect = async (calls: number, renewals: number, what: string): Promise<void> => {
      const answer = await ask(broker, ORG_1)
      t.equal(answer.json.token, first.json.token, `${what}: the cached token is served`)
      await until(() => failedRenewals() === renewals, `renewal ${renewals}`)
      t.equal(mintCalls(sandbox, ORG_1), calls, `${what}: ${calls} calls to Unit in all`)
    }
    clock.advanceSeconds(481)
    await expect(4, 1, 'the first renewal, retried twice')
    await expect(4, 1, 'within 5 s of a failed renewal, none')
    clock.advanceSeconds(6)
    await expect(6, 2, 'the next renewal opens the breaker')
    clock.advanceSeconds(6)
    await expect(6, 3, 'a renewal while the breaker is open')
    clock.advanceSeconds(6)
    await expect(7, 4, 'a renewal as the one probe')

    // 29 s of life left: below the 30 s margin, the token is never handed out.
    clock.advance(start + 571_000 - clock.now())
    const expired = await ask(broker, ORG_1)
    t.equal(expired.status, 503)
    t.notMatch(expired.text, first.json.token)
    t.equal(mintCalls(sandbox, ORG_1), 8, 'the breaker was half-open: one probe')
    t.equal((await ask(broker, ORG_1)).status, 503)
    t.equal(mintCalls(sandbox, ORG_1), 8)
  })
