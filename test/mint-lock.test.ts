import { Redis } from 'ioredis'
import t from 'tap'
import { createLogger } from '../src/log.js'
import { RedisCoordinator } from '../src/stores/coordinator.js'
import { RedisEvents } from '../src/stores/redis-events.js'
import { RedisTokenStore } from '../src/stores/redis.js'
import type { MintLock, StoredToken } from '../src/stores/store.js'
import { testRedis } from './helpers/redis.js'

const log = createLogger('silent')

function entry (token: string, issuedAt: number): StoredToken {
  return { token, fingerprint: token.slice(0, 8), issuedAt, lifetimeSeconds: 3600 }
}

/** Two replicas' views of one Redis: a store and a coordinator each. */
async function replicas (t: { teardown (fn: () => unknown): void }) {
  const redis = await testRedis(t)
  const make = () => {
    const client = new Redis(redis.url)
    const subscriber = new Redis(redis.url)
    const events = new RedisEvents(client, subscriber, redis.prefix, log)
    const store = new RedisTokenStore(client, { prefix: redis.prefix, keyRing: () => undefined, log, events })
    const coordinator = new RedisCoordinator(client, events, { prefix: redis.prefix, lockTtlMs: 5000 })
    t.teardown(() => store.close())
    return { client, events, store, coordinator }
  }
  const one = make()
  const two = make()
  await Promise.all([one.events.start(), two.events.start()])
  return { one, two, prefix: redis.prefix }
}

function isLock (value: MintLock | { heldForMs: number }): value is MintLock {
  return 'generation' in value
}

t.test('one holder at a time; the lock says how long it is held', async (t) => {
  const { one, two } = await replicas(t)
  const first = await one.coordinator.tryLock('entry')
  const second = await two.coordinator.tryLock('entry')
  t.ok(isLock(first))
  t.notOk(isLock(second))
  t.ok(!isLock(second) && second.heldForMs > 4000 && second.heldForMs <= 5000)
  if (isLock(first)) await first.release()
  t.ok(isLock(await two.coordinator.tryLock('entry')), 'free again once released')
})

t.test('a holder whose lock expired can neither release nor overwrite the newer holder',
  async (t) => {
    const { one, two, prefix } = await replicas(t)
    const old = await one.coordinator.tryLock('entry')
    if (!isLock(old)) throw new Error('no lock')
    // The lock expires as it would if its holder stalled past its time.
    await one.client.del(`${prefix}lock:{entry}`)
    const newer = await two.coordinator.tryLock('entry')
    if (!isLock(newer)) throw new Error('no lock')
    t.ok(newer.generation > old.generation)

    t.equal(await two.store.set('entry', entry('newer-token', 2), 60_000, newer.generation), true)
    t.equal(await one.store.set('entry', entry('late-token', 1), 60_000, old.generation), false,
      'the late write is refused')
    t.equal((await two.store.get('entry'))?.token, 'newer-token')

    await old.release()
    t.notOk(isLock(await one.coordinator.tryLock('entry')), 'the old holder freed nothing')
  })

t.test('waiters hear of a mint or of a failure as soon as it happens', async (t) => {
  const { one, two } = await replicas(t)
  const lock = await one.coordinator.tryLock('entry')
  if (!isLock(lock)) throw new Error('no lock')

  const listener = two.coordinator.listen('entry')
  const started = Date.now()
  await one.store.set('entry', entry('fresh', 1), 60_000, lock.generation)
  t.same(await listener.wait(5000), { kind: 'minted' })
  t.ok(Date.now() - started < 1000, 'long before the lock would expire')

  await one.coordinator.announceFailure('entry', 'upstream_timeout')
  t.same(await listener.wait(5000), { kind: 'failed', code: 'upstream_timeout' })
  listener.stop()
})
