import t from 'tap'
import { Backoff } from '../src/unit/backoff.js'
import {
  CircuitBreaker, MAX_OPEN_MS, PROBE_PENDING_MS, type BreakerOptions
} from '../src/unit/circuit-breaker.js'
import { FakeClock } from './helpers/clock.js'

function breaker (options: Partial<BreakerOptions> = {}): [CircuitBreaker, FakeClock] {
  const clock = new FakeClock()
  return [new CircuitBreaker({ clock, threshold: 3, cooldownMs: 10_000, ...options }), clock]
}

/** Fails `times` calls in a row at `source`; answers what the last one opened. */
function fail (subject: CircuitBreaker, times: number, source = 'org-a'): number | undefined {
  let opened: number | undefined
  for (let index = 0; index < times; index++) opened = subject.failed(subject.pass(), source)
  return opened
}

t.test('backoff windows double up to the cap; full jitter stays inside them', async (t) => {
  const backoff = new Backoff(200, 1000, () => 0.5)
  t.same([0, 1, 2, 3, 10].map((n) => backoff.windowMs(n)), [200, 400, 800, 1000, 1000])
  t.same([0, 1, 2].map((n) => backoff.jitteredMs(n)), [100, 200, 400])
  t.equal(new Backoff(200, 1000, () => 0).jitteredMs(2), 0)
  t.equal(new Backoff(200, 1000, () => 0.9999).jitteredMs(9), 999)
})

t.test('opens after the threshold of consecutive failures, not before', async (t) => {
  const [subject] = breaker()
  t.equal(fail(subject, 2), undefined)
  t.equal(subject.state, 'closed')
  t.equal(fail(subject, 1), 10_000, 'open for the cool-down')
  t.equal(subject.state, 'open')
  t.equal(subject.blockedMs(), 10_000)
})

t.test('a success in between starts the count again', async (t) => {
  const [subject] = breaker()
  fail(subject, 2)
  t.equal(subject.succeeded(subject.pass()), false, 'closing a closed breaker changes nothing')
  t.equal(fail(subject, 2), undefined)
  t.equal(subject.state, 'closed')
})

t.test('after the cool-down exactly one probe goes; its success closes', async (t) => {
  const [subject, clock] = breaker()
  fail(subject, 3)
  clock.advance(9_999)
  t.equal(subject.blockedMs(), 1)
  clock.advance(1)
  t.equal(subject.state, 'half-open')
  t.equal(subject.blockedMs(), 0)

  const probe = subject.pass()
  t.equal(probe.probe, true)
  t.equal(subject.blockedMs(), PROBE_PENDING_MS, 'the others wait while the probe is out')
  t.equal(subject.succeeded(probe), true)
  t.equal(subject.state, 'closed')
  t.equal(subject.blockedMs(), 0)
  t.equal(subject.pass().probe, false)
})

t.test('a failed probe opens it again for a whole cool-down', async (t) => {
  const [subject, clock] = breaker()
  fail(subject, 3)
  clock.advance(10_000)
  t.equal(subject.failed(subject.pass(), 'org-a'), 10_000)
  t.equal(subject.state, 'open')
  t.equal(subject.blockedMs(), 10_000)
})

t.test('calls let through before it opened neither close it nor count', async (t) => {
  const [subject] = breaker()
  const early = [subject.pass(), subject.pass()]
  fail(subject, 3)
  t.equal(subject.succeeded(early[0]!), false)
  t.equal(subject.failed(early[1]!, 'org-a'), undefined)
  t.equal(subject.state, 'open')
  t.equal(subject.blockedMs(), 10_000)
})

t.test('Retry-After longer than the cool-down keeps it open longer, up to a cap', async (t) => {
  const [subject] = breaker()
  fail(subject, 2)
  t.equal(subject.failed(subject.pass(), 'org-a', 30_000), 30_000)
  const [capped] = breaker({ threshold: 1 })
  t.equal(capped.failed(capped.pass(), 'org-a', 3_600_000), MAX_OPEN_MS)
})

t.test('with distinct sources, one source failing alone never opens it', async (t) => {
  const [subject] = breaker({ distinctSources: 2 })
  t.equal(fail(subject, 10, 'org-a'), undefined)
  t.equal(subject.state, 'closed')
  t.equal(fail(subject, 1, 'org-b'), undefined, 'nor with a little help from another')
  t.equal(fail(subject, 9, 'org-b'), 10_000, 'a second source failing as much makes it Unit\'s')
})

t.test('trip opens at once for the time given, and never shortens an opening', async (t) => {
  const [subject, clock] = breaker()
  t.equal(subject.trip(2_000), 2_000)
  t.equal(subject.state, 'open')
  t.equal(subject.trip(1_000), undefined)
  t.equal(subject.blockedMs(), 2_000)
  clock.advance(2_000)
  t.equal(subject.state, 'half-open')
})

t.test('a released probe makes way for the next one', async (t) => {
  const [subject, clock] = breaker()
  fail(subject, 3)
  clock.advance(10_000)
  const probe = subject.pass()
  t.equal(subject.blockedMs(), PROBE_PENDING_MS)
  subject.released(probe)
  t.equal(subject.blockedMs(), 0)
  subject.released(subject.pass())
  subject.released({ probe: false })
  t.equal(subject.state, 'half-open')
})
