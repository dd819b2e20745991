import t from 'tap'
import { startSandbox, type Fault, type Sandbox } from '../src/sandbox/index.js'
import { UnitClient } from '../src/unit/client.js'
import { ResilientUnitClient } from '../src/unit/resilient-client.js'
import { createLogger } from '../src/log.js'
import { postToken } from './helpers/broker.js'
import { logged } from './helpers/calls.js'
import { FakeClock } from './helpers/clock.js'
import { ORG_1, ORG_2, setup } from './helpers/fixture.js'

const cards = { orgId: ORG_1, scopes: 'cards' }
const status = (code: number, headers?: Record<string, string>): Fault =>
  ({ kind: 'status', status: code, ...(headers === undefined ? {} : { headers }) })

for (const code of [500, 502, 503, 504, 408]) {
  t.test(`a ${code} is retried with backoff and jitter, then Unit's token is served`,
    async (t) => {
      const { sandbox, broker, clock } = await setup(t)
      sandbox.setFault('mint', status(code), 2)

      const answer = await postToken(broker, cards)
      t.equal(answer.status, 200)
      t.equal(sandbox.count('mint'), 3, 'the first call and two retries')
      t.equal(clock.sleeps.length, 2)
      t.ok(clock.sleeps[0]! <= 200, 'the first wait is within 200 ms')
      t.ok(clock.sleeps[1]! <= 400, 'the second within 400 ms')
      const at = sandbox.calls.filter((call) => call.path === '/partners/token').map((c) => c.at)
      t.same([at[1]! - at[0]!, at[2]! - at[1]!], clock.sleeps, 'Unit saw the calls that far apart')
      t.same(logged(broker.logs, 'unit_retry').map((entry) => [entry.retry, entry.unitStatus]),
        [[1, code], [2, code]])
    })
}

t.test('Unit failing every time: the first call and UNIT_RETRY_ATTEMPTS retries', async (t) => {
  const { sandbox, broker } = await setup(t, { UNIT_RETRY_ATTEMPTS: '3' })
  sandbox.setFault('mint', status(500))
  const answer = await postToken(broker, cards)
  t.equal(answer.status, 503)
  t.equal(answer.json.code, 'upstream_unavailable')
  t.equal(sandbox.count('mint'), 4)
})

t.test('UNIT_RETRY_ATTEMPTS=0 turns retries off', async (t) => {
  const { sandbox, broker, clock } = await setup(t, { UNIT_RETRY_ATTEMPTS: '0' })
  sandbox.setFault('mint', status(500), 1)
  t.equal((await postToken(broker, cards)).status, 503)
  t.equal(sandbox.count('mint'), 1)
  t.same(clock.sleeps, [])
})

const refusals = [
  { code: 400, answer: 502, error: 'upstream_rejected' },
  { code: 403, answer: 502, error: 'upstream_rejected' },
  { code: 404, answer: 502, error: 'upstream_rejected' },
  { code: 401, answer: 502, error: 'partner_credential_rejected' }
]
for (const refusal of refusals) {
  t.test(`a ${refusal.code} is never retried`, async (t) => {
    const { sandbox, broker, clock } = await setup(t)
    sandbox.setFault('mint', status(refusal.code))
    const answer = await postToken(broker, cards)
    t.equal(answer.status, refusal.answer)
    t.equal(answer.json.code, refusal.error)
    t.equal(sandbox.count('mint'), 1)
    t.same(clock.sleeps, [])
  })
}

t.test('a 429 waits for Retry-After, then the retry succeeds', async (t) => {
  const { sandbox, broker, clock } = await setup(t)
  sandbox.setFault('mint', status(429, { 'retry-after': '1' }), 1)
  const answer = await postToken(broker, cards)
  t.equal(answer.status, 200)
  t.equal(sandbox.count('mint'), 2)
  t.same(clock.sleeps, [1000], 'Retry-After is longer than any jitter of the first retry')
})

t.test('a Retry-After beyond the request\'s time is not waited for: the caller gets it',
  async (t) => {
    const { sandbox, broker, clock } = await setup(t, { UPSTREAM_TIMEOUT_MS: '1000' })
    sandbox.setFault('mint', status(503, { 'retry-after': '1' }))
    const answer = await postToken(broker, cards)
    t.equal(answer.status, 503)
    t.equal(answer.headers['retry-after'], '1')
    t.equal(sandbox.count('mint'), 1)
    t.same(clock.sleeps, [])
  })

t.test('a timeout is not retried: it used the request\'s whole time', async (t) => {
  const { sandbox, broker, clock } = await setup(t, { UPSTREAM_TIMEOUT_MS: '300' })
  sandbox.setFault('mint', { kind: 'hang' })
  const answer = await postToken(broker, cards)
  t.equal(answer.status, 504)
  t.equal(sandbox.count('mint'), 1)
  t.same(clock.sleeps, [])
})

t.test('a malformed answer is not retried', async (t) => {
  const { sandbox, broker } = await setup(t)
  sandbox.setFault('mint', { kind: 'malformed' })
  t.equal((await postToken(broker, cards)).status, 503)
  t.equal(sandbox.count('mint'), 1)
})

t.test('network errors are retried, for mints and for the org list', async (t) => {
  const { sandbox, broker, clock } = await setup(t)
  t.equal((await postToken(broker, cards)).status, 200, 'the org list is loaded')
  await sandbox.close()

  const answer = await postToken(broker, { orgId: ORG_2, scopes: 'cards' })
  t.equal(answer.status, 503)
  t.equal(answer.json.code, 'upstream_unavailable')
  t.equal(clock.sleeps.length, 2)
  t.same(logged(broker.logs, 'unit_retry').map((entry) => [entry.call, entry.upstream]),
    [['mint', 'ECONNREFUSED'], ['mint', 'ECONNREFUSED']])
})

t.test('the org list is retried like a mint', async (t) => {
  const { sandbox, broker } = await setup(t)
  sandbox.setFault('orgs', status(502), 2)
  t.equal((await postToken(broker, cards)).status, 200)
  t.equal(sandbox.count('orgs'), 3)
  t.equal(sandbox.count('mint'), 1)
})

interface Alone {
  client: ResilientUnitClient
  clock: FakeClock
  sandbox: Sandbox
}

/** The client and its wrapper on their own, with the jitter pinned near its top. */
async function alone (t: { teardown (fn: () => unknown): void },
  settings: { budgetMs: number, retryBaseMs: number }): Promise<Alone> {
  const clock = new FakeClock()
  const sandbox = await startSandbox({ now: () => clock.now() })
  const unit = new UnitClient({
    baseUrl: new URL(sandbox.url),
    partnerToken: () => 'sandbox-partner-token',
    timeoutMs: settings.budgetMs
  })
  t.teardown(async () => { await unit.close(); await sandbox.close() })
  const client = new ResilientUnitClient({
    unit,
    clock,
    timer: clock,
    log: createLogger('silent'),
    settings: { retryAttempts: 5, breakerThreshold: 100, breakerCooldownMs: 10_000, ...settings },
    random: () => 0.999
  })
  return { client, clock, sandbox }
}

const mint = { orgId: ORG_1, scopes: ['cards'], sourceIps: [], expiresInSeconds: 3600 }

t.test('retries stop when the next wait would leave too little of the request\'s time',
  async (t) => {
    const { client, clock, sandbox } = await alone(t, { budgetMs: 5000, retryBaseMs: 2000 })
    sandbox.setFault('mint', status(500))
    await t.rejects(client.mintOnBehalfToken(mint), { code: 'upstream_unavailable' })
    t.same(clock.sleeps, [1998], 'a second wait of 3,996 ms would leave under a fifth of 5 s')
    t.equal(sandbox.count('mint'), 2)
  })

t.test('a retry has only what is left of the request\'s time', async (t) => {
  const { client, clock, sandbox } = await alone(t, { budgetMs: 500, retryBaseMs: 200 })
  // The group fault answers the first call; the org fault holds the next.
  sandbox.setFault('mint', status(500), 1)
  sandbox.setOrgFault(ORG_1, { kind: 'hang' })
  const started = performance.now()
  await t.rejects(client.mintOnBehalfToken(mint), {
    code: 'upstream_timeout', message: 'Unit did not answer within 301 ms.'
  })
  t.same(clock.sleeps, [199])
  t.ok(performance.now() - started < 500, 'the hanging retry was cut at the deadline')
})
