import { Redis } from 'ioredis'
import t from 'tap'
import { call, type Answer } from './helpers/broker.js'
import { bearer, writeCallers } from './helpers/callers.js'
import { mintsLogged, ORG_1, ORG_2, setup, until } from './helpers/fixture.js'
import { testRedis } from './helpers/redis.js'

/** Every key under the prefix with its value, whatever its type. */
async function dumpRedis (client: Redis, prefix: string): Promise<string> {
  const out: string[] = []
  for (const key of await client.keys(`${prefix}*`)) {
    const type = await client.type(key)
    const value = type === 'hash' ? JSON.stringify(await client.hgetall(key)) : await client.get(key)
    out.push(key, type, value ?? '')
  }
  return out.join('\n')
}

t.test('no secret shows in an answer, a log line or Redis', async (t) => {
  const redis = await testRedis(t)
  const callers = writeCallers(t, [
    { name: 'rewards' },
    { name: 'ledger', orgs: [ORG_2], scopes: ['accounts'] }
  ])
  const { sandbox, broker, clock, partnerToken } = await setup(t, {
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: redis.prefix,
    UPSTREAM_TIMEOUT_MS: '200',
    BROKER_CALLERS_FILE: callers.file
  })
  const rewards = bearer(callers.keys.rewards)
  const ledger = bearer(callers.keys.ledger)
  const answers: Answer[] = []
  const keep = async (answer: Promise<Answer>): Promise<Answer> => {
    const value = await answer
    answers.push(value)
    return value
  }
  const ask = (body: unknown, headers = rewards): Promise<Answer> =>
    keep(call(broker.url, 'POST', '/v1/tokens', body, headers))

  await keep(call(broker.url, 'GET', '/v1/orgs', undefined, ledger))
  // A client that puts its key in the query string by mistake.
  await keep(call(broker.url, 'GET', `/v1/orgs?access_token=${callers.keys.ledger ?? ''}`,
    undefined, ledger))
  const minted = await ask({ orgId: ORG_1, scopes: 'customers cards' })
  await ask({ orgId: ORG_1, scopes: ['cards', 'customers'] })
  await ask({ orgId: ORG_1, scopes: ['cards'] }, ledger)
  await ask({ orgId: ORG_1, scopes: ['cards'] }, bearer(`${callers.keys.rewards ?? ''}x`))
  clock.advanceSeconds(86400 * 0.9)
  await ask({ orgId: ORG_1, scopes: ['cards', 'customers'] })
  await until(() => mintsLogged(broker, 'renewal') === 1, 'the renewal')
  for (const fault of [
    { kind: 'status', status: 500 }, { kind: 'status', status: 400 }, { kind: 'hang' },
    { kind: 'malformed' }
  ] as const) {
    sandbox.setFault('mint', fault)
    await ask({ orgId: ORG_2, scopes: ['accounts'] }, ledger)
  }
  sandbox.setFault('mint', null)
  await ask({ orgId: ORG_2, scopes: ['accounts'] }, ledger)
  sandbox.setPartnerTokens(['another'])
  await ask({ orgId: ORG_2, scopes: ['customers'] })
  await keep(call(broker.url, 'POST', '/v1/tokens/invalidate',
    { orgId: ORG_1, scopes: 'cards customers', token: minted.json.token }, rewards))
  await keep(call(broker.url, 'GET', '/readyz'))
  await ask({ orgId: ORG_1, scopes: ['cards'], pad: partnerToken })

  const client = new Redis(redis.url)
  t.teardown(() => client.disconnect())
  const stored = await dumpRedis(client, redis.prefix)
  const mintedTokens = sandbox.mints.map((mint) => mint.token)
  const callerKeys = Object.values(callers.keys)
  t.equal(mintedTokens.length, 3, 'the run minted, renewed and minted for another org')
  t.ok(stored.includes('token:'), 'Redis holds the cached entries')
  t.ok(broker.logs.length > 20, 'the run logged')

  const secrets: Array<[string, string]> = [
    ['the partner token', partnerToken],
    ...callerKeys.map((key): [string, string] => ['a caller key', key]),
    ...mintedTokens.map((token): [string, string] => ['an on-behalf token', token])
  ]
  for (const [name, secret] of secrets) {
    t.notOk(broker.logs.some((line) => line.includes(secret)), `no log line holds ${name}`)
    t.notOk(stored.includes(secret), `Redis does not hold ${name}`)
  }
  for (const answer of answers) {
    const seen = answer.text + JSON.stringify(answer.headers)
    for (const secret of [partnerToken, ...callerKeys]) {
      t.notOk(seen.includes(secret), `no answer holds a partner token or caller key (${answer.status})`)
    }
  }
})
