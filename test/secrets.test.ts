import { Redis } from 'ioredis'
import t from 'tap'
import { call, postToken, type Answer } from './helpers/broker.js'
import { mintsLogged, ORG_1, ORG_2, setup, until } from './helpers/fixture.js'
import { testRedis } from './helpers/redis.js'

t.test('the partner token never shows in an answer, a log line or Redis', async (t) => {
  const redis = await testRedis(t)
  const { sandbox, broker, clock, partnerToken } = await setup(t, {
    REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.prefix, UPSTREAM_TIMEOUT_MS: '200'
  })
  const answers: Answer[] = []
  const keep = async (answer: Promise<Answer>): Promise<Answer> => {
    const value = await answer
    answers.push(value)
    return value
  }

  await keep(call(broker.url, 'GET', '/v1/orgs'))
  const minted = await keep(postToken(broker, { orgId: ORG_1, scopes: 'customers cards' }))
  await keep(postToken(broker, { orgId: ORG_1, scopes: ['cards', 'customers'] }))
  clock.advanceSeconds(86400 * 0.9)
  await keep(postToken(broker, { orgId: ORG_1, scopes: ['cards', 'customers'] }))
  await until(() => mintsLogged(broker, 'renewal') === 1, 'the renewal')
  for (const fault of [
    { kind: 'status', status: 500 }, { kind: 'status', status: 400 }, { kind: 'hang' },
    { kind: 'malformed' }
  ] as const) {
    sandbox.setFault('mint', fault)
    await keep(postToken(broker, { orgId: ORG_2, scopes: ['accounts'] }))
  }
  sandbox.setPartnerTokens(['another'])
  await keep(postToken(broker, { orgId: ORG_2, scopes: ['accounts'] }))
  await keep(call(broker.url, 'POST', '/v1/tokens/invalidate',
    { orgId: ORG_1, scopes: 'cards customers', token: minted.json.token }))
  await keep(call(broker.url, 'GET', '/readyz'))
  await keep(postToken(broker, { orgId: ORG_1, scopes: ['cards'], pad: partnerToken }))

  const client = new Redis(redis.url)
  t.teardown(() => client.disconnect())
  const stored: string[] = []
  for (const key of await client.keys(`${redis.prefix}*`)) {
    stored.push(key, ...Object.values(await client.hgetall(key)))
  }

  const mintedTokens = sandbox.mints.map((mint) => mint.token)
  t.equal(mintedTokens.length, 2)
  t.ok(broker.logs.length > 20, 'the run logged')
  for (const line of broker.logs) {
    t.notOk(line.includes(partnerToken), 'no log line holds the partner token')
    for (const token of mintedTokens) t.notOk(line.includes(token), 'nor an on-behalf token')
  }
  for (const answer of answers) {
    const seen = answer.text + JSON.stringify(answer.headers)
    t.notOk(seen.includes(partnerToken), `no answer holds the partner token (${answer.status})`)
  }
  t.notOk(stored.join('\n').includes(partnerToken), 'Redis does not hold the partner token')
})
