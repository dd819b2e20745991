import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import t from 'tap'
import { ConfigError, loadConfig } from '../src/config/config.js'
import type { TieredStore } from '../src/stores/tiered.js'
import { cacheKey } from '../src/tokens/cache-key.js'
import { postToken, secretsDir, startBroker, type Answer } from './helpers/broker.js'
import { ORG_1, ORG_2, setup, until } from './helpers/fixture.js'
import { testRedis } from './helpers/redis.js'

const newKey = (id: string): string => `${id}:${randomBytes(32).toString('base64')}`

t.test('a Redis entry holds no plaintext token, and names its key id', async (t) => {
  const redis = await testRedis(t)
  const { broker } = await setup(t, {
    REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.prefix, TOKEN_ENCRYPTION_KEY: newKey('k1')
  })
  const minted = await postToken(broker, { orgId: ORG_1, scopes: 'cards' })
  const client = new Redis(redis.url)
  t.teardown(() => client.disconnect())
  const [key = ''] = await client.keys(`${redis.prefix}token:*`)
  const entry = await client.get(key) ?? ''
  t.notOk(entry.includes(minted.json.token))
  t.match(entry.split(' ')[3], /^v1\.k1\.[\w-]{16}\.[\w-]+$/)
})

t.test('an entry copied under another key fails to open and is minted again', async (t) => {
  const redis = await testRedis(t)
  const env = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.prefix }
  const { broker, sandbox, partnerToken, clock } = await setup(t, env)
  const one = await postToken(broker, { orgId: ORG_1, scopes: 'cards' })
  await postToken(broker, { orgId: ORG_2, scopes: 'cards' })
  const store = (broker.store as TieredStore).redis
  const keyOf = (orgId: string): string => store.keyOf(cacheKey({
    upstream: broker.config.unitApiUrl.href,
    orgId,
    scopes: ['cards'],
    sourceIps: [],
    lifetimeSeconds: 86400
  }))
  const client = new Redis(redis.url)
  t.teardown(() => client.disconnect())
  // What someone with write access to Redis might try: serve org 1's token for org 2.
  const sealed = await client.get(keyOf(ORG_1)) ?? ''
  await client.set(keyOf(ORG_2), sealed, 'KEEPTTL')

  // A replica that has not seen org 2's entry yet reads it from Redis.
  const replica = await startBroker(t, { unitUrl: sandbox.url, partnerToken, env, clock })
  const two = await postToken(replica, { orgId: ORG_2, scopes: 'cards' })
  t.equal(two.status, 200)
  t.not(two.json.token, one.json.token, 'the moved token is not served')
  t.equal(two.headers['cache-status'], 'unit-token-broker; fwd=miss')
  t.equal(sandbox.count('mint'), 3, 'the entry was minted again')
  t.ok(replica.logs.some((line) => line.includes('"event":"token_unreadable"')))
  t.equal((await postToken(replica, { orgId: ORG_1, scopes: 'cards' })).json.token, one.json.token)
})

t.test('rotating the encryption key under load fails no request', async (t) => {
  const redis = await testRedis(t)
  const keyFile = join(secretsDir(t), 'encryption-keys')
  const [oldKey, newerKey] = [newKey('old'), newKey('new')]
  writeFileSync(keyFile, oldKey)
  const env = {
    REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.prefix, TOKEN_ENCRYPTION_KEY_FILE: keyFile
  }
  const { broker, sandbox, partnerToken, clock } = await setup(t, env)
  const peer = await startBroker(t, { unitUrl: sandbox.url, partnerToken, env, clock })
  const warm = await postToken(broker, { orgId: ORG_1, scopes: 'cards' })

  const failures: Answer[] = []
  let sent = 0
  const state = { running: true }
  const load = async (target: { url: string }, scopes: string): Promise<void> => {
    while (state.running) {
      const answer = await postToken(target, { orgId: ORG_2, scopes })
        .catch((err: unknown) => ({ status: 0, text: String(err) }) as Answer)
      sent++
      if (answer.status !== 200) failures.push(answer)
    }
  }
  const workers = [load(broker, 'cards'), load(peer, 'cards'), load(peer, 'accounts')]
  writeFileSync(keyFile, `${newerKey}\n${oldKey}\n`)
  await until(() => [broker, peer].every((one) =>
    one.logs.some((line) => line.includes('"event":"secret_reloaded"'))), 'both reloads')
  const afterReload = sent
  await until(() => sent > afterReload + 50, 'load after the rotation')
  state.running = false
  await Promise.all(workers)

  t.same(failures.map((answer) => answer.text), [], 'no request failed')
  const old = await postToken(peer, { orgId: ORG_1, scopes: 'cards' })
  t.equal(old.json.token, warm.json.token, 'an entry sealed with the old key still opens')
  await postToken(peer, { orgId: ORG_1, scopes: 'customers' })
  const client = new Redis(redis.url)
  t.teardown(() => client.disconnect())
  const sealed = await Promise.all((await client.keys(`${redis.prefix}token:*`))
    .map(async (key) => (await client.get(key))?.split(' ')[3]?.split('.')[1]))
  t.ok(sealed.includes('new'), 'new entries are sealed with the new key')
})

t.test('with Redis and no key, the broker refuses to start unless told it is local', async (t) => {
  const env = {
    UNIT_PARTNER_TOKEN: 'p', BROKER_AUTH_DISABLED: 'true', REDIS_URL: 'redis://127.0.0.1:6379'
  }
  t.throws(() => loadConfig(env), ConfigError)
  t.match((() => { try { loadConfig(env) } catch (err) { return (err as ConfigError).problems } })(),
    [/^TOKEN_ENCRYPTION_KEY is not set/])
  t.equal(loadConfig({ ...env, TOKEN_ENCRYPTION_DISABLED: 'true' }).keyRing, undefined)
  for (const bad of ['k1', 'k1:c2hvcnQ=', `k 1:${randomBytes(32).toString('base64')}`,
    `${newKey('a')},${newKey('a')}`]) {
    t.throws(() => loadConfig({ ...env, TOKEN_ENCRYPTION_KEY: bad }), ConfigError, bad)
  }
})

t.test('a broker without keys never hands out a sealed value as a token', async (t) => {
  const redis = await testRedis(t)
  const env = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.prefix }
  const { broker, sandbox, partnerToken, clock } = await setup(t, env)
  const sealed = await postToken(broker, { orgId: ORG_1, scopes: 'cards' })
  const clear = await startBroker(t, {
    unitUrl: sandbox.url, partnerToken, clock, env: { ...env, TOKEN_ENCRYPTION_DISABLED: 'true' }
  })
  const answer = await postToken(clear, { orgId: ORG_1, scopes: 'cards' })
  t.equal(answer.status, 200)
  t.notMatch(answer.json.token, /^v1\./, 'not the sealed value')
  t.not(answer.json.token, sealed.json.token)
})
