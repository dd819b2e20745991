import t from 'tap'
import { ConfigError, loadConfig } from '../src/config/config.js'
import { call, postToken, startBroker } from './helpers/broker.js'
import { ORG_1, ORG_2, setup, until } from './helpers/fixture.js'
import { parseMetrics, scrape, seriesOf } from './helpers/metrics.js'
import { startRedisServer, testRedis } from './helpers/redis.js'

const P = 'unit_token_broker_'
const body = { orgId: ORG_1, scopes: ['customers', 'cards'] }

t.test('one mint and two hits, as /metrics counts them', async (t) => {
  const { broker } = await setup(t)
  for (let i = 0; i < 3; i++) t.equal((await postToken(broker, body)).status, 200)

  const answer = await call(broker.url, 'GET', '/metrics')
  t.equal(answer.status, 200, 'no key needed')
  t.match(answer.headers['content-type'], /^text\/plain; version=0\.0\.4/)
  const samples = parseMetrics(answer.text)
  const of = (name: string) => seriesOf(samples, P + name)

  t.same(of('cache_lookups_total'), [
    { outcome: 'miss', tier: 'memory', value: 1 },
    { outcome: 'hit', tier: 'memory', value: 2 }
  ])
  t.same(of('mints_total'), [{ reason: 'miss', outcome: 'ok', value: 1 }])
  t.same(of('unit_request_duration_seconds_count'), [
    { operation: 'orgs', outcome: 'ok', value: 1 },
    { operation: 'mint', outcome: 'ok', value: 1 }
  ])
  t.same(of('token_remaining_life_seconds_count'), [{ value: 3 }])
  t.same(of('token_remaining_life_seconds_sum'), [{ value: 3 * 86400 }])
  t.same(of('token_remaining_life_seconds_bucket').filter((s) => s.le === '43200'),
    [{ le: '43200', value: 0 }], 'every token was served with its whole day')
  t.same(of('renewal_lead_seconds_count'), [{ value: 0 }])
  t.same(of('store_errors_total'), [])
  t.same(of('http_requests_total'), [
    { method: 'POST', route: '/v1/tokens', status_code: '200', value: 3 }
  ])
  t.same(of('partner_token_state'), [
    { state: 'unknown', value: 0 },
    { state: 'accepted', value: 1 },
    { state: 'rejected', value: 0 }
  ])
  t.equal(seriesOf(samples, 'process_cpu_user_seconds_total').length, 1,
    'the process metrics come along')
})

t.test('a background renewal is counted with its lead time', async (t) => {
  const { broker, clock } = await setup(t)
  await postToken(broker, body)
  clock.advanceSeconds(86400 * 0.8 + 1)
  await postToken(broker, body)
  const renewed = async (): Promise<boolean> => seriesOf(await scrape(broker),
    `${P}renewal_lead_seconds_count`)[0]?.value === 1
  await until(renewed, 'the renewal to be counted')

  const samples = await scrape(broker)
  t.same(seriesOf(samples, `${P}renewal_lead_seconds_sum`), [{ value: 86400 * 0.2 - 1 }])
  t.same(seriesOf(samples, `${P}mints_total`), [
    { reason: 'miss', outcome: 'ok', value: 1 },
    { reason: 'renewal', outcome: 'ok', value: 1 }
  ])
})

t.test('failures are counted by their code, and unknown paths share one label', async (t) => {
  const { broker, sandbox } = await setup(t)
  // The first call and both retries fail: each is a Unit call, all one mint.
  sandbox.setFault('mint', { kind: 'status', status: 500 }, 3)
  t.equal((await postToken(broker, body)).status, 503)
  sandbox.setPartnerTokens(['a-newer-partner-token'])
  t.equal((await postToken(broker, { orgId: ORG_1, scopes: ['cards'] })).status, 502)
  await call(broker.url, 'GET', '/wp-admin/setup.php')

  const samples = await scrape(broker)
  t.same(seriesOf(samples, `${P}mints_total`), [
    { reason: 'miss', outcome: 'upstream_unavailable', value: 1 },
    { reason: 'miss', outcome: 'partner_credential_rejected', value: 1 }
  ])
  t.match(seriesOf(samples, `${P}unit_request_duration_seconds_count`), [
    { operation: 'orgs', outcome: 'ok', value: 1 },
    { operation: 'mint', outcome: 'upstream_unavailable', value: 3 },
    { operation: 'mint', outcome: 'partner_credential_rejected', value: 1 }
  ])
  t.same(seriesOf(samples, `${P}partner_token_state`).find((s) => s.value === 1),
    { state: 'rejected', value: 1 })
  t.match(seriesOf(samples, `${P}http_requests_total`), [
    { route: '/v1/tokens', status_code: '503', value: 1 },
    { route: '/v1/tokens', status_code: '502', value: 1 },
    { method: 'GET', route: 'unmatched', status_code: '404', value: 1 }
  ])
})

t.test('Redis failures are counted as store errors', async (t) => {
  const redis = await startRedisServer()
  t.teardown(() => redis.stop())
  const { broker } = await setup(t, { REDIS_URL: redis.url })
  await postToken(broker, body)
  await redis.stop()

  t.equal((await postToken(broker, { orgId: ORG_1, scopes: ['cards'] })).status, 200,
    'a failing store does not fail the request')
  const samples = await scrape(broker)
  t.same(seriesOf(samples, `${P}store_errors_total`), [
    { store: 'redis', operation: 'get', value: 1 },
    { store: 'redis', operation: 'set', value: 1 }
  ])
  t.same(seriesOf(samples, `${P}cache_lookups_total`), [
    { outcome: 'miss', tier: 'redis', value: 2 }
  ])
})

t.test('org ids label lookups and mints only when METRICS_ORG_LABELS=true', async (t) => {
  const plain = await setup(t)
  await postToken(plain.broker, body)
  const text = (await call(plain.broker.url, 'GET', '/metrics')).text
  t.notOk(text.includes(ORG_1), 'no org id by default')

  const labelled = await setup(t, { METRICS_ORG_LABELS: 'true' })
  await postToken(labelled.broker, body)
  const samples = await scrape(labelled.broker)
  t.same(seriesOf(samples, `${P}cache_lookups_total`),
    [{ outcome: 'miss', tier: 'memory', org: ORG_1, value: 1 }])
  t.same(seriesOf(samples, `${P}mints_total`),
    [{ reason: 'miss', outcome: 'ok', org: ORG_1, value: 1 }])
})

t.test('METRICS_ORG_LABELS takes only true or false', async (t) => {
  const env = { UNIT_PARTNER_TOKEN: 'p', BROKER_AUTH_DISABLED: 'true', METRICS_ORG_LABELS: 'yes' }
  t.throws(() => loadConfig(env), new ConfigError([
    "METRICS_ORG_LABELS must be true or false, got 'yes'"
  ]))
  t.equal(loadConfig({ ...env, METRICS_ORG_LABELS: 'false' }).metricsOrgLabels, false)
})

t.test('the tier that answered, lock waits and open breakers are counted', async (t) => {
  const redis = await testRedis(t)
  const env = {
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: redis.prefix,
    UNIT_RETRY_ATTEMPTS: '0',
    UNIT_BREAKER_THRESHOLD: '2'
  }
  const { broker, sandbox, partnerToken, clock } = await setup(t, env)
  const replica = await startBroker(t, { unitUrl: sandbox.url, partnerToken, env, clock })

  // The replica waits on the broker's mint, then finds the token in Redis, then in memory.
  sandbox.setFault('mint', { kind: 'latency', ms: 300 }, 1)
  const minting = postToken(broker, body)
  await until(() => sandbox.count('mint') === 1, 'the first mint to start')
  await postToken(replica, body)
  await minting
  await postToken(replica, body)
  const replicaSeries = parseMetrics((await call(replica.url, 'GET', '/metrics')).text)
  t.same(seriesOf(replicaSeries, P + 'lock_wait_seconds_count'), [{ outcome: 'minted', value: 1 }])
  t.same(seriesOf(replicaSeries, P + 'cache_lookups_total'), [
    { outcome: 'miss', tier: 'redis', value: 1 },
    { outcome: 'hit', tier: 'memory', value: 1 }
  ])

  sandbox.setOrgFault(ORG_2, { kind: 'status', status: 500 })
  for (let i = 0; i < 2; i++) await postToken(broker, { orgId: ORG_2, scopes: ['cards'] })
  const series = parseMetrics((await call(broker.url, 'GET', '/metrics')).text)
  t.same(seriesOf(series, P + 'circuit_open'), [
    { scope: 'unit', value: 0 },
    { scope: 'org', value: 1 }
  ])
})
