import t from 'tap'
import { jsonOf } from './helpers/json.js'
import { SANDBOX_ORGS, startSandbox } from '../src/sandbox/index.js'

const sandbox = await startSandbox()
t.teardown(() => sandbox.close())
t.beforeEach(() => {
  sandbox.reset()
  sandbox.setPartnerTokens(['sandbox-partner-token'])
})

/** Calls a control endpoint; a body is sent as JSON. */
function control (method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${sandbox.url}/sandbox${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  })
}

function unit (path: string, token = 'sandbox-partner-token'): Promise<Response> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/vnd.api+json' }
  const attributes = { orgId: SANDBOX_ORGS[1]?.orgId, scopes: 'accounts', expiresIn: 900 }
  return path === '/partners/token'
    ? fetch(`${sandbox.url}${path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ data: { type: 'createOnBehalfToken', attributes } })
    })
    : fetch(`${sandbox.url}${path}`, { headers })
}

t.test('PUT /sandbox/faults/{target} arms a fault, for `times` requests', async t => {
  const fault = { kind: 'status', status: 429, headers: { 'Retry-After': '1' } }
  t.equal((await control('PUT', '/faults/orgs', { fault, times: 1 })).status, 204)

  const faulted = await unit('/partners/orgs')
  t.equal(faulted.status, 429)
  t.equal(faulted.headers.get('retry-after'), '1')
  t.equal((await unit('/partners/orgs')).status, 200)
})

t.test('DELETE /sandbox/faults/{target} clears it', async t => {
  await control('PUT', '/faults/reads', { fault: { kind: 'status', status: 500 } })
  t.equal((await unit('/accounts')).status, 500)

  t.equal((await control('DELETE', '/faults/reads')).status, 204)
  t.equal((await unit('/accounts')).status, 403, 'the partner token is refused again')
})

t.test('GET /sandbox/calls reports counts and Unit calls only', async t => {
  await unit('/partners/orgs')
  await unit('/partners/token')
  await unit('/nowhere')

  const report = await (await jsonOf(await control('GET', '/calls')))
  t.same(report.counts, { orgs: 1, mint: 1, reads: 0 })
  t.match(report.calls, [
    { method: 'GET', path: '/partners/orgs', status: 200, at: Number },
    { method: 'POST', path: '/partners/token', status: 201 },
    { method: 'GET', path: '/nowhere', status: 404 }
  ])
  t.equal(report.calls.length, 3, 'control requests are not recorded')
})

t.test('GET /sandbox/mints lists the tokens minted; POST /sandbox/revoke revokes one', async t => {
  await unit('/partners/token')
  const { mints } = await (await jsonOf(await control('GET', '/mints')))
  t.match(mints, [{ orgId: SANDBOX_ORGS[1]?.orgId, scopes: ['accounts'], expiresIn: 900 }])

  const token = mints[0].token
  t.equal((await unit('/accounts', token)).status, 200)
  t.equal((await control('POST', '/revoke', { token })).status, 204)
  t.equal((await unit('/accounts', token)).status, 401)
})

t.test('PUT /sandbox/lifetime caps the lifetime granted; null lifts the cap', async t => {
  t.equal((await control('PUT', '/lifetime', { seconds: 300 })).status, 204)
  await unit('/partners/token')
  t.equal((await control('PUT', '/lifetime', { seconds: null })).status, 204)
  await unit('/partners/token')

  t.same(sandbox.mints.map(mint => mint.expiresIn), [300, 900])
})

t.test('PUT /sandbox/partner-tokens replaces the accepted partner tokens', async t => {
  t.equal((await control('PUT', '/partner-tokens', { tokens: ['rotated'] })).status, 204)

  t.equal((await unit('/partners/orgs')).status, 401)
  t.equal((await unit('/partners/orgs', 'rotated')).status, 200)
})

t.test('POST /sandbox/reset clears calls, faults and the lifetime cap', async t => {
  await control('PUT', '/faults/mint', { fault: { kind: 'hang' } })
  await control('PUT', '/lifetime', { seconds: 10 })
  await unit('/partners/orgs')

  t.equal((await control('POST', '/reset')).status, 204)
  t.same(sandbox.calls, [])
  const minted = await unit('/partners/token')
  t.equal(minted.status, 201)
  t.equal((await jsonOf(minted)).data.attributes.expiresIn, 900)
})

t.test('POST /sandbox/release lets held answers finish', async t => {
  await control('PUT', '/faults/orgs', { fault: { kind: 'hold', afterBytes: 1 }, times: 1 })
  // The headers and the first byte arrive; the rest waits for the release.
  const held = await unit('/partners/orgs')

  t.equal((await control('POST', '/release')).status, 204)
  t.equal((await jsonOf(held)).data.length, SANDBOX_ORGS.length)
})

t.test('a bad control request is a 400 pointing at the problem', async t => {
  const cases: Array<[string, string, unknown, string]> = [
    ['PUT', '/faults/orgs', { fault: { kind: 'explode' } }, '/fault'],
    ['PUT', '/faults/orgs', { fault: { kind: 'status', status: 700 } }, '/fault'],
    ['PUT', '/faults/orgs', { fault: { kind: 'hang' }, times: 0 }, '/times'],
    ['PUT', '/lifetime', { seconds: -5 }, '/seconds'],
    ['PUT', '/partner-tokens', { tokens: 'one' }, '/tokens'],
    ['POST', '/revoke', {}, '']
  ]
  for (const [method, path, body, pointer] of cases) {
    const response = await control(method, path, body)
    t.equal(response.status, 400, path)
    const [error] = (await jsonOf(response)).errors
    t.equal(error.code, 'invalid_value', path)
    t.ok(String(error.source.pointer).startsWith(pointer), `${path} ${error.source.pointer}`)
  }

  const unknownTarget = await control('PUT', '/faults/webhooks', { fault: { kind: 'hang' } })
  t.equal(unknownTarget.status, 400)
  t.equal((await jsonOf(unknownTarget)).errors[0].source.parameter, 'target')
  t.equal((await control('PUT', '/lifetime')).status, 400, 'no body')
  t.equal(sandbox.count('orgs'), 0, 'no fault was armed')
})
