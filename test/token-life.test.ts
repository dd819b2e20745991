import t from 'tap'
import { postToken } from './helpers/broker.js'
import { mintsLogged, ORG_1, setup, until } from './helpers/fixture.js'

const body = { orgId: ORG_1, scopes: ['customers'] }

t.test('past the refresh point the token is served and renewed once in the background', async (t) => {
  const { sandbox, broker, clock } = await setup(t)
  const first = await postToken(broker, body)

  clock.advanceSeconds(86400 * 0.8 + 1)
  // Unit is slow, so every one of these requests arrives while the renewal runs.
  sandbox.setFault('mint', { kind: 'latency', ms: 300 })
  const during = await Promise.all(Array.from({ length: 10 }, () => postToken(broker, body)))
  for (const answer of during) {
    t.equal(answer.json.token, first.json.token, 'the cached token is still served')
    t.equal(answer.headers['cache-status'], 'unit-token-broker; hit')
    t.equal(answer.headers['cache-control'], 'private, max-age=0')
  }
  await until(() => mintsLogged(broker, 'renewal') === 1, 'the background renewal')

  const after = await postToken(broker, body)
  t.not(after.json.token, first.json.token, 'the renewed token is served next')
  t.equal(after.headers['cache-status'], 'unit-token-broker; hit')
  t.equal(after.json.expiresIn, 86400)
  t.equal(sandbox.count('mint'), 2, 'one renewal for all those requests')
})

t.test('a request needing more life than is left gets a new token', async (t) => {
  const { sandbox, broker, clock } = await setup(t)
  const first = await postToken(broker, body)

  clock.advanceSeconds(86400 - 10000)
  const needy = await postToken(broker, { ...body, minTtlSeconds: 12000 })
  t.equal(needy.status, 200)
  t.not(needy.json.token, first.json.token)
  t.equal(needy.headers['cache-status'], 'unit-token-broker; fwd=stale')
  t.equal(needy.json.expiresIn, 86400)
  t.equal(sandbox.count('mint'), 2)
})

t.test('a request whose need the cached token covers is a hit', async (t) => {
  const { sandbox, broker, clock } = await setup(t)
  const first = await postToken(broker, body)
  clock.advanceSeconds(86400 - 10000)
  sandbox.setFault('mint', { kind: 'hang' })
  const roomy = await postToken(broker, { ...body, minTtlSeconds: 9000 })
  t.equal(roomy.json.token, first.json.token, '10,000 s left cover a need of 9,000 s')
  t.equal(roomy.headers['cache-status'], 'unit-token-broker; hit')
})

t.test('a token is never served with less life than the margin', async (t) => {
  const { sandbox, broker, clock } = await setup(t)
  const first = await postToken(broker, body)

  clock.advanceSeconds(86400 - 29)
  sandbox.setFault('mint', { kind: 'status', status: 500 })
  const failing = await postToken(broker, body)
  t.equal(failing.status, 503, 'with Unit down, the old token is not handed out')
  t.notMatch(failing.text, first.json.token)

  sandbox.setFault('mint', null)
  const fresh = await postToken(broker, body)
  t.not(fresh.json.token, first.json.token)
  t.equal(fresh.json.expiresIn, 86400)
})

t.test('the broker believes a shorter lifetime granted by Unit', async (t) => {
  const { sandbox, broker, clock } = await setup(t)
  sandbox.grantLifetime(3600)

  const first = await postToken(broker, body)
  t.equal(first.json.expiresIn, 3600)
  t.equal(first.headers['cache-control'], 'private, max-age=2880')

  clock.advanceSeconds(2881)
  const renewing = await postToken(broker, body)
  t.equal(renewing.json.token, first.json.token)
  await until(() => mintsLogged(broker, 'renewal') === 1, 'the renewal at 80 % of the hour')

  clock.advanceSeconds(3600 - 2881 - 29)
  const later = await postToken(broker, body)
  t.not(later.json.token, first.json.token, 'the old token is not served below the margin')
  t.equal(sandbox.count('mint'), 2)
})

t.test('life is counted from when the mint request was sent', async (t) => {
  const { sandbox, broker, clock } = await setup(t)
  // Unit takes its time; the fake clock moves while the answer is on its way.
  sandbox.setFault('mint', { kind: 'latency', ms: 50 })
  const pending = postToken(broker, body)
  await until(() => sandbox.count('mint') === 1, 'the mint request')
  clock.advanceSeconds(4)
  const answer = await pending
  t.equal(answer.json.expiresIn, 86396)
  t.equal(Date.parse(answer.json.expiresAt), clock.now() - 4000 + 86400_000)
})

t.test('minTtlSeconds above the life left at the refresh point is refused', async (t) => {
  const { sandbox, broker } = await setup(t)
  const answer = await postToken(broker, { ...body, minTtlSeconds: 86400 * 0.2 + 1 })
  t.equal(answer.status, 400)
  t.equal(answer.json.code, 'invalid_request')
  t.equal(sandbox.count('mint'), 0)
})

t.test('asking for more life than Unit grants costs Unit one call, not one per request',
  async (t) => {
    const { sandbox, broker } = await setup(t)
    sandbox.grantLifetime(600)
    const first = await postToken(broker, body)
    t.equal(first.json.expiresIn, 600, 'the broker believes the shorter grant')

    const needy = []
    for (let i = 0; i < 5; i++) needy.push(await postToken(broker, { ...body, minTtlSeconds: 1000 }))
    t.same(needy.map((answer) => answer.status), [502, 502, 502, 502, 502])
    t.match(needy[0]?.json.detail, /grants tokens of 600 s/)
    t.equal(sandbox.count('mint'), 1)
    t.equal((await postToken(broker, body)).json.token, first.json.token)
  })

t.test('a renewal that Unit grants less life keeps the longer-lived cached token', async (t) => {
  const { sandbox, broker, clock } = await setup(t, {
    TOKEN_LIFETIME_SECONDS: '3600', TOKEN_REFRESH_AFTER: '0.5'
  })
  const first = await postToken(broker, body)
  clock.advanceSeconds(1900)
  sandbox.grantLifetime(900)
  await postToken(broker, body)
  await until(() => broker.logs.some((line) => line.includes('"event":"token_kept"')),
    'the renewal')

  const after = await postToken(broker, { ...body, minTtlSeconds: 1600 })
  t.equal(after.status, 200)
  t.equal(after.json.token, first.json.token, 'the 1,700 s token still serves')
  t.equal(sandbox.count('mint'), 2)
  await postToken(broker, body)
  t.equal(sandbox.count('mint'), 2, 'and no renewal is tried again at once')
  clock.advanceSeconds(60)
  await postToken(broker, body)
  t.equal(sandbox.count('mint'), 2, 'nor until a grant of 900 s could outlive the cached token')
  clock.advanceSeconds(1700 - 60 - 900)
  await postToken(broker, body)
  await until(() => sandbox.count('mint') === 3, 'the renewal once it is worth a call')
})

t.test('a cold entry is minted once even while the org list refreshes', async (t) => {
  const { sandbox, broker } = await setup(t, { ORGS_CACHE_SECONDS: '0' })
  sandbox.setFault('orgs', { kind: 'latency', ms: 50 })
  sandbox.setFault('mint', { kind: 'latency', ms: 100 })
  const answers = []
  for (let i = 0; i < 40; i++) {
    answers.push(postToken(broker, body))
    await new Promise((resolve) => setImmediate(resolve))
    if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 20))
  }
  const tokens = new Set((await Promise.all(answers)).map((answer) => answer.json.token))
  t.equal(tokens.size, 1)
  t.equal(sandbox.count('mint'), 1)
})
