import t from 'tap'
import { jsonOf } from './helpers/json.js'
import { SANDBOX_ORGS, startSandbox, type Fault } from '../src/sandbox/index.js'

const PARTNER = { authorization: 'Bearer sandbox-partner-token' }
const MINT_BODY = JSON.stringify({
  data: { type: 'createOnBehalfToken', attributes: { orgId: SANDBOX_ORGS[0]?.orgId, scopes: 'cards' } }
})

const sandbox = await startSandbox()
t.teardown(() => sandbox.close())
t.beforeEach(() => { sandbox.reset() })

function listOrgs (base = sandbox.url): Promise<Response> {
  return fetch(`${base}/partners/orgs`, { headers: PARTNER })
}

function mint (): Promise<Response> {
  return fetch(`${sandbox.url}/partners/token`, {
    method: 'POST',
    headers: { ...PARTNER, 'content-type': 'application/vnd.api+json' },
    body: MINT_BODY
  })
}

/** Lets the event loop turn until the sandbox has seen the request. */
async function until (condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise(resolve => setImmediate(resolve))
}

t.test('a status fault answers its status, headers and a JSON:API error', async t => {
  sandbox.setFault('orgs', { kind: 'status', status: 429, headers: { 'Retry-After': '2' } })

  const response = await listOrgs()
  t.equal(response.status, 429)
  t.equal(response.headers.get('retry-after'), '2')
  t.equal(response.headers.get('content-type'), 'application/vnd.api+json')
  t.match((await jsonOf(response)).errors, [{
    status: '429', title: 'Too Many Requests', code: 'too_many_requests', meta: { supportId: String }
  }])
  t.match(sandbox.calls, [{ method: 'GET', path: '/partners/orgs', status: 429 }])
  t.equal(sandbox.count('orgs'), 1)
})

t.test('a fault stands for Unit failing, so it comes before the token check', async t => {
  sandbox.setFault('reads', { kind: 'status', status: 503 })

  t.equal((await fetch(`${sandbox.url}/customers`)).status, 503)
  t.equal(sandbox.count('reads'), 1)
})

t.test('a status fault can carry its own body', async t => {
  sandbox.setFault('mint', { kind: 'status', status: 500, body: { errors: [{ title: 'Boom' }] } })

  const response = await mint()
  t.equal(response.status, 500)
  t.same(await jsonOf(response), { errors: [{ title: 'Boom' }] })
  t.equal(sandbox.mints.length, 0)
})

t.test('a fault armed for `times` requests clears itself after them', async t => {
  sandbox.setFault('mint', { kind: 'status', status: 502 }, 2)

  const statuses = []
  for (let index = 0; index < 3; index++) statuses.push((await mint()).status)
  t.same(statuses, [502, 502, 201])
  t.equal(sandbox.count('mint'), 3)
  t.equal(sandbox.mints.length, 1)
})

t.test('a fault without `times` lasts until cleared, and only for its group', async t => {
  sandbox.setFault('orgs', { kind: 'status', status: 500 })

  t.equal((await listOrgs()).status, 500)
  t.equal((await listOrgs()).status, 500)
  t.equal((await mint()).status, 201, 'other groups answer normally')
  sandbox.setFault('orgs', null)
  t.equal((await listOrgs()).status, 200)
})

t.test('reset clears faults, calls, counts and mints', async t => {
  sandbox.setFault('orgs', { kind: 'status', status: 500 })
  await mint()

  sandbox.reset()
  t.equal((await listOrgs()).status, 200)
  t.equal(sandbox.calls.length, 1)
  t.equal(sandbox.count('mint'), 0)
  t.equal(sandbox.mints.length, 0)
})

t.test('a malformed fault answers success without the token or the data', async t => {
  sandbox.setFault('mint', { kind: 'malformed' })
  sandbox.setFault('orgs', { kind: 'malformed' })
  sandbox.setFault('reads', { kind: 'malformed' })

  const minted = await mint()
  t.equal(minted.status, 201)
  const { data } = await jsonOf(minted)
  t.equal(data.attributes.token, undefined)
  t.equal(sandbox.mints.length, 0)
  const orgs = await listOrgs()
  t.equal(orgs.status, 200)
  t.equal((await jsonOf(orgs)).data, undefined)
  const customers = await fetch(`${sandbox.url}/customers`)
  t.equal(customers.status, 200)
  t.equal((await jsonOf(customers)).data, undefined)
})

t.test('a latency fault answers normally, after the delay', async t => {
  sandbox.setFault('orgs', { kind: 'latency', ms: 150 }, 1)

  const started = performance.now()
  const response = await listOrgs()
  t.equal(response.status, 200)
  t.ok(performance.now() - started >= 140)
  t.equal((await jsonOf(response)).data.length, SANDBOX_ORGS.length)
})

t.test('the latencyMs option delays every Unit endpoint', async t => {
  const slow = await startSandbox({ latencyMs: 100 })
  t.teardown(() => slow.close())

  const started = performance.now()
  t.equal((await listOrgs(slow.url)).status, 200)
  t.ok(performance.now() - started >= 90)
})

t.test('close releases a hanging request and a long delay', async t => {
  const stuck = await startSandbox()
  stuck.setFault('reads', { kind: 'hang' })
  stuck.setFault('orgs', { kind: 'latency', ms: 600_000 })

  const outcomes = Promise.allSettled([fetch(`${stuck.url}/customers`), listOrgs(stuck.url)])
  await until(() => stuck.count('reads') === 1 && stuck.count('orgs') === 1)
  const started = performance.now()
  await stuck.close()

  t.match(await outcomes, [{ status: 'rejected' }, { status: 'rejected' }])
  t.ok(performance.now() - started < 5000)
  t.match(stuck.calls, [{ status: 0 }, { status: 0 }], 'never answered')
})

t.test('setFault refuses what it cannot play', async t => {
  const notAFault = { kind: 'status', status: 42 } as unknown as Fault
  t.throws(() => { sandbox.setFault('orgs', notAFault) }, TypeError)
  t.throws(() => { sandbox.setFault('orgs', { kind: 'hang' }, 0) }, RangeError)
  t.equal((await listOrgs()).status, 200)
})

t.test('a hold fault sends the first bytes, and the rest only once released', async t => {
  const token = await (await mint()).json() as { data: { attributes: { token: string } } }
  const headers = { authorization: `Bearer ${token.data.attributes.token}` }
  const whole = await (await fetch(`${sandbox.url}/cards`, { headers })).text()
  sandbox.setFault('reads', { kind: 'hold', afterBytes: 10 }, 1)

  const response = await fetch(`${sandbox.url}/cards`, { headers })
  t.equal(response.status, 200)
  const reader = (response.body as ReadableStream<Uint8Array>).getReader()
  const first = await reader.read()
  t.equal(Buffer.from(first.value ?? []).toString(), whole.slice(0, 10))
  t.match(sandbox.calls.at(-1), { path: '/cards', status: 200 })

  sandbox.releaseHeld()
  let rest = ''
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    rest += Buffer.from(chunk.value).toString()
  }
  t.equal(rest, whole.slice(10))
})
