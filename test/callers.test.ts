import { Redis } from 'ioredis'
import t from 'tap'
import { call, startBroker, type Answer, type TestBroker } from './helpers/broker.js'
import { bearer, writeCallers } from './helpers/callers.js'
import { ORG_1, ORG_2, setup, until } from './helpers/fixture.js'
import { testRedis } from './helpers/redis.js'

interface Teardown {
  teardown (fn: () => unknown): void
}

const ORG_3 = 'q+7/Xz3kL0A='

async function brokerWithCallers (t: Teardown, env: Record<string, string> = {}) {
  const callers = writeCallers(t, [
    { name: 'rewards', orgs: [ORG_1, ORG_3], scopes: ['customers', 'cards'], maxMinTtlSeconds: 600 },
    { name: 'ledger', orgs: '*', scopes: ['accounts'], sourceIps: ['10.1.2.3'] }
  ])
  const fixture = await setup(t, { ...env, BROKER_CALLERS_FILE: callers.file })
  const as = (name: string) => (method: 'GET' | 'POST', path: string, body?: unknown) =>
    call(fixture.broker.url, method, path, body, bearer(callers.keys[name]))
  return { ...fixture, callers, rewards: as('rewards'), ledger: as('ledger') }
}

function problemOf (answer: Answer): unknown {
  return { status: answer.status, body: answer.text, type: answer.headers['content-type'] }
}

t.test('no key, a wrong key and a revoked key are 401 with one body', async (t) => {
  const { broker, sandbox, callers, rewards } = await brokerWithCallers(t)
  const body = { orgId: ORG_1, scopes: ['customers'] }
  t.equal((await rewards('POST', '/v1/tokens', body)).status, 200)
  sandbox.reset()

  const missing = await call(broker.url, 'POST', '/v1/tokens', body, { authorization: '' })
  const wrong = await call(broker.url, 'POST', '/v1/tokens', body,
    bearer(`${callers.keys.rewards ?? ''}0`))
  const basic = await call(broker.url, 'GET', '/v1/orgs', undefined, { authorization: 'Basic eDp5' })
  callers.write([{ name: 'ledger', orgs: '*', scopes: ['accounts'] }])
  await until(async () => (await rewards('GET', '/v1/orgs')).status === 401, 'the revocation')
  const revoked = await rewards('POST', '/v1/tokens', body)

  t.equal(missing.status, 401)
  t.equal(missing.json.code, 'unauthorized')
  t.equal(missing.headers['www-authenticate'], 'Bearer realm="unit-token-broker"')
  for (const answer of [wrong, basic, revoked]) t.same(problemOf(answer), problemOf(missing))
  t.equal(sandbox.calls.length, 0, 'Unit saw nothing')
  t.ok(broker.logs.some((line) => line.includes('"reason":"unknown_key"')))
})

t.test('the Bearer scheme is read as RFC 9110 writes it', async (t) => {
  const { broker, callers } = await brokerWithCallers(t)
  const key = callers.keys.rewards ?? ''
  for (const authorization of [`bearer ${key}`, `BEARER ${key}`, `Bearer   ${key}`]) {
    const answer = await call(broker.url, 'GET', '/v1/orgs', undefined, { authorization })
    t.equal(answer.status, 200, authorization.replace(key, '<key>'))
  }
})

t.test('health checks need no key', async (t) => {
  const { broker } = await brokerWithCallers(t)
  for (const path of ['/healthz', '/readyz']) {
    t.equal((await call(broker.url, 'GET', path, undefined, { authorization: '' })).status, 200)
  }
})

t.test('a request outside the caller policy is 403 and Unit sees nothing', async (t) => {
  const { sandbox, rewards, ledger } = await brokerWithCallers(t)
  const refused = [
    await rewards('POST', '/v1/tokens', { orgId: ORG_2, scopes: ['customers'] }),
    await rewards('POST', '/v1/tokens', { orgId: ORG_1, scopes: ['customers', 'accounts'] }),
    await rewards('POST', '/v1/tokens', { orgId: ORG_1, scopes: 'cards', minTtlSeconds: 601 }),
    await rewards('POST', '/v1/tokens/invalidate', { orgId: ORG_2, scopes: 'cards' }),
    await ledger('POST', '/v1/tokens', { orgId: ORG_1, scopes: ['cards'] })
  ]
  for (const answer of refused) {
    t.equal(answer.status, 403)
    t.equal(answer.json.code, 'forbidden')
    t.equal(answer.headers['content-type'], 'application/problem+json; charset=utf-8')
  }
  t.match(refused[1]?.json.detail, /scopes accounts/)
  t.equal(sandbox.calls.length, 0, 'Unit saw nothing')

  const allowed = await rewards('POST', '/v1/tokens', { orgId: ORG_3, scopes: 'cards', minTtlSeconds: 600 })
  t.equal(allowed.status, 200)
})

t.test('a caller lists only its orgs', async (t) => {
  const { rewards, ledger } = await brokerWithCallers(t)
  const mine = await rewards('GET', '/v1/orgs')
  t.same(mine.json.orgs.map((org: { orgId: string }) => org.orgId), [ORG_1, ORG_3])
  const all = await ledger('GET', '/v1/orgs')
  t.same(all.json.orgs.map((org: { orgId: string }) => org.orgId), [ORG_1, ORG_2, ORG_3])
})

t.test("a caller's tokens are bound to its source IPs, apart from other callers' tokens",
  async (t) => {
    const { sandbox, ledger, callers, broker } = await brokerWithCallers(t)
    callers.write([
      { name: 'ledger', orgs: '*', scopes: ['accounts'], sourceIps: ['10.1.2.3'] },
      { name: 'reports', orgs: '*', scopes: ['accounts'] }
    ])
    await until(async () => (await call(broker.url, 'GET', '/v1/orgs', undefined,
      bearer(callers.keys.reports))).status === 200, 'the new caller')
    const bound = await ledger('POST', '/v1/tokens', { orgId: ORG_2, scopes: ['accounts'] })
    const free = await call(broker.url, 'POST', '/v1/tokens', { orgId: ORG_2, scopes: ['accounts'] },
      bearer(callers.keys.reports))
    t.not(bound.json.token, free.json.token)
    t.same(sandbox.mints.map((mint) => mint.sourceIp), ['10.1.2.3', undefined])
  })

t.test('every token handed out or refused leaves one audit line, never the token', async (t) => {
  const { broker, rewards } = await brokerWithCallers(t)
  const answers = [
    await rewards('POST', '/v1/tokens', { orgId: ORG_1, scopes: 'cards customers' }),
    await rewards('POST', '/v1/tokens', { orgId: ORG_1, scopes: ['customers', 'cards'] }),
    await rewards('POST', '/v1/tokens', { orgId: ORG_2, scopes: ['cards'] }),
    await rewards('POST', '/v1/tokens', { orgId: ORG_1, scopes: ['nope'] })
  ]
  const audit = broker.logs.map((line) => JSON.parse(line))
    .filter((entry) => entry.event === 'token_issued' || entry.event === 'token_refused')
  t.match(audit, [
    { caller: 'rewards', orgId: ORG_1, scopes: ['cards', 'customers'], outcome: 'minted', expiresIn: Number },
    { caller: 'rewards', orgId: ORG_1, scopes: ['cards', 'customers'], outcome: 'hit' },
    { caller: 'rewards', orgId: ORG_2, scopes: ['cards'], outcome: 'refused', reason: 'forbidden' },
    { caller: 'rewards', orgId: ORG_1, scopes: ['nope'], outcome: 'refused', reason: 'invalid_request' }
  ])
  t.equal(audit.length, 4)
  t.match(audit[0]?.fingerprint, /^[\w-]{16}$/)
  t.equal(audit[0]?.fingerprint, audit[1]?.fingerprint, 'one token, one fingerprint')
  const token = answers[0]?.json.token as string
  t.notOk(broker.logs.some((line) => line.includes(token)))
})

t.test('a caller over its budget gets 429 with Retry-After; others go on', async (t) => {
  const callers = writeCallers(t, [
    { name: 'runaway', requestsPerMinute: 3 },
    { name: 'steady' }
  ])
  const { broker, sandbox } = await setup(t, { BROKER_CALLERS_FILE: callers.file })
  const send = (name: string): Promise<Answer> => call(broker.url, 'POST', '/v1/tokens',
    { orgId: ORG_1, scopes: ['cards'] }, bearer(callers.keys[name]))
  const statuses = []
  for (let i = 0; i < 5; i++) statuses.push((await send('runaway')).status)
  const limited = await send('runaway')
  t.same(statuses, [200, 200, 200, 429, 429])
  t.equal(limited.json.code, 'rate_limited')
  t.match(limited.headers['retry-after'], /^\d+$/)
  t.ok(Number(limited.headers['retry-after']) <= 60)
  t.equal((await send('steady')).status, 200)
  t.equal(sandbox.count('mint'), 1)
})

t.test('replicas sharing a Redis share each caller\'s budget', async (t) => {
  const redis = await testRedis(t)
  const callers = writeCallers(t, [
    { name: 'runaway', requestsPerMinute: 5 },
    { name: 'busy', requestsPerMinute: 1000 }
  ])
  const env = { BROKER_CALLERS_FILE: callers.file, REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.prefix }
  const { broker, sandbox, partnerToken, clock } = await setup(t, env)
  const replica = await startBroker(t, { unitUrl: sandbox.url, partnerToken, env, clock })
  const send = (to: TestBroker, name: string): Promise<Answer> => call(to.url, 'GET', '/v1/orgs',
    undefined, bearer(callers.keys[name]))

  const statuses = []
  for (let i = 0; i < 8; i++) statuses.push((await send(i % 2 === 0 ? broker : replica, 'runaway')).status)
  t.same(statuses, [200, 200, 200, 200, 200, 429, 429, 429], 'five in all, not five each')

  // Every replica's requests count toward the one budget in Redis.
  for (let i = 0; i < 20; i++) await send(i % 2 === 0 ? broker : replica, 'busy')
  const client = new Redis(redis.url)
  t.teardown(() => client.disconnect())
  await until(async () => await client.get(`${redis.prefix}ratelimit:busy`) === '20',
    'the twenty requests counted in Redis')
})

t.test('the broker refuses a callers file it cannot use, naming the mistake', async (t) => {
  const callers = writeCallers(t, [{ name: 'a', scopes: ['customers-write'] }])
  await t.rejects(setup(t, { BROKER_CALLERS_FILE: callers.file }),
    /BROKER_CALLERS_FILE callers\[0\] \(a\) names scopes ALLOWED_SCOPES does not allow/)
})
