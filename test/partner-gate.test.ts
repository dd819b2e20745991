import t from 'tap'
import { FIRST_WINDOW_MS, LAST_WINDOW_MS, PartnerTokenGate } from '../src/unit/partner-gate.js'
import { FakeClock } from './helpers/clock.js'

function gate (): [PartnerTokenGate, FakeClock] {
  const clock = new FakeClock()
  return [new PartnerTokenGate(clock), clock]
}

t.test('a 401 holds calls for 5 s, then lets one probe through', async (t) => {
  const [subject, clock] = gate()
  t.equal(subject.blockedMs(), 0)
  t.equal(subject.refused(subject.pass()), FIRST_WINDOW_MS)
  t.equal(subject.rejected, true)
  t.equal(subject.blockedMs(), 5_000)

  clock.advance(5_000)
  t.equal(subject.blockedMs(), 0)
  const probe = subject.pass()
  t.equal(probe.probe, true)
  t.ok(subject.blockedMs() > 0, 'one probe at a time')
})

t.test('each refused probe doubles the window, up to 5 min', async (t) => {
  const [subject, clock] = gate()
  const windows = [subject.refused(subject.pass())]
  for (let index = 0; index < 8; index++) {
    clock.advance(subject.blockedMs())
    windows.push(subject.refused(subject.pass()))
  }
  t.same(windows, [5_000, 10_000, 20_000, 40_000, 80_000, 160_000, LAST_WINDOW_MS,
    LAST_WINDOW_MS, LAST_WINDOW_MS])
})

t.test('a 401 to a call sent before the window began changes nothing', async (t) => {
  const [subject] = gate()
  const early = subject.pass()
  subject.refused(subject.pass())
  t.equal(subject.refused(early), undefined)
  t.equal(subject.accepted(early), false)
  t.equal(subject.blockedMs(), 5_000)
})

t.test('an accepted probe lifts the gate', async (t) => {
  const [subject, clock] = gate()
  subject.refused(subject.pass())
  clock.advance(5_000)
  t.equal(subject.accepted(subject.pass()), true)
  t.equal(subject.rejected, false)
  t.equal(subject.blockedMs(), 0)
  t.equal(subject.pass().probe, false)
})

t.test('a probe that got no word on the token waits the same window again', async (t) => {
  const [subject, clock] = gate()
  subject.refused(subject.pass())
  clock.advance(5_000)
  subject.refused(subject.pass())
  clock.advance(10_000)
  subject.undecided(subject.pass())
  t.equal(subject.blockedMs(), 10_000)
  subject.undecided({ probe: false, generation: 0 })
  t.equal(subject.blockedMs(), 10_000)
})

t.test('a new partner token lifts the gate at once, and old answers no longer count',
  async (t) => {
    const [subject] = gate()
    const old = subject.pass()
    subject.refused(subject.pass())
    subject.changed()
    t.equal(subject.blockedMs(), 0)
    t.equal(subject.refused(old), undefined, 'a 401 to the old token')
    t.equal(subject.blockedMs(), 0)
    t.equal(subject.pass().probe, false)
  })
