import t from 'tap'
import { Agent, request } from 'undici'
import { bearer } from './helpers/callers.js'
import { ORG_1, setup, until } from './helpers/fixture.js'
import { logged, readThrough, unitThrough } from './helpers/proxy.js'

const PAGE = '/transactions?page[limit]=1000'
/** What the stand-in sends of the page before it waits: a small part of it. */
const SENT_FIRST = 64 * 1024

t.test('a large page streams through the broker as Unit sends it, never held whole', async t => {
  const { sandbox, broker } = await setup(t)
  const whole = await readThrough(broker, ORG_1, PAGE)
  t.equal(whole.json.data.length, 1000)
  t.ok(whole.text.length > 4 * SENT_FIRST, `the page is ${whole.text.length} bytes`)

  // The stand-in sends the first 64 KiB and holds the rest back until released
  // (at the latest when the test ends, so that a failure cannot hang it).
  sandbox.setFault('reads', { kind: 'hold', afterBytes: SENT_FIRST }, 1)
  t.teardown(() => { sandbox.releaseHeld() })
  const chunks: Buffer[] = []
  let ended = false
  const answering = request(unitThrough(broker, ORG_1) + PAGE,
    { headers: bearer(broker.callerKey) }).then((answer) => {
    answer.body.on('data', (chunk: Buffer) => { chunks.push(chunk) })
    answer.body.on('end', () => { ended = true })
    return answer.statusCode
  })
  answering.catch(() => {})
  const received = (): number => chunks.reduce((sum, chunk) => sum + chunk.length, 0)

  // A broker that buffered the page would send nothing, not even its status,
  // until Unit finished.
  await until(() => received() === SENT_FIRST, 'the first 64 KiB through the broker')
  t.equal(await answering, 200)
  t.notOk(ended, 'the answer is still open while Unit holds the rest')

  sandbox.releaseHeld()
  await until(() => ended, 'the rest of the page')
  t.equal(Buffer.concat(chunks).toString('utf8'), whole.text)
})

t.test('a caller that leaves midway ends the read, and the audit says so', async t => {
  const { sandbox, broker } = await setup(t)
  await readThrough(broker, ORG_1, '/cards')
  sandbox.setFault('reads', { kind: 'hold', afterBytes: 1024 }, 1)

  // A client of its own, closed with its sockets: one left open would hold up the broker's close.
  const client = new Agent()
  t.teardown(() => client.destroy())
  const answer = await request(unitThrough(broker, ORG_1) + PAGE,
    { headers: bearer(broker.callerKey), dispatcher: client })
  let received = 0
  answer.body.on('data', (chunk: Buffer) => { received += chunk.length })
  answer.body.on('error', () => {})
  await until(() => received === 1024, 'the first bytes')
  await client.destroy()

  await until(() => logged(broker, 'unit_read').length === 2, 'the audit line of the cut read')
  t.match(logged(broker, 'unit_read')[1], { resource: '/transactions', status: 200, cut: true })
})
