import t from 'tap'
import { SANDBOX_ORGS, startSandbox } from '../src/sandbox/index.js'

const PARTNER = 'sandbox-partner-token'
const [BROKEN, HEALTHY] = SANDBOX_ORGS.map((org) => org.orgId) as [string, string]

const sandbox = await startSandbox()
t.teardown(() => sandbox.close())
t.beforeEach(() => {
  sandbox.reset()
  sandbox.setPartnerTokens([PARTNER])
})

function mint (orgId: string, partnerToken = PARTNER): Promise<Response> {
  const attributes = { orgId, scopes: 'cards' }
  return fetch(`${sandbox.url}/partners/token`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${partnerToken}`,
      'content-type': 'application/vnd.api+json'
    },
    body: JSON.stringify({ data: { type: 'createOnBehalfToken', attributes } })
  })
}

t.test('an org fault fails that org\'s mints and no other org\'s', async (t) => {
  sandbox.setOrgFault(BROKEN, { kind: 'status', status: 500 })

  t.equal((await mint(BROKEN)).status, 500)
  t.equal((await mint(HEALTHY)).status, 201)
  t.equal((await mint(BROKEN)).status, 500)
  t.equal(sandbox.count('mint'), 3, 'every mint counts, faulted or not')
  t.same(sandbox.calls.map((call) => [call.orgId, call.status]),
    [[BROKEN, 500], [HEALTHY, 201], [BROKEN, 500]], 'each call names its org')
  t.same(sandbox.mints.map((record) => record.orgId), [HEALTHY])
})

t.test('an org fault armed for `times` mints clears itself, and null clears it', async (t) => {
  sandbox.setOrgFault(BROKEN, { kind: 'status', status: 429, headers: { 'retry-after': '3' } }, 1)
  const limited = await mint(BROKEN)
  t.equal(limited.status, 429)
  t.equal(limited.headers.get('retry-after'), '3')
  t.equal((await mint(BROKEN)).status, 201)

  sandbox.setOrgFault(BROKEN, { kind: 'malformed' })
  t.equal((await mint(BROKEN)).status, 201)
  t.equal(sandbox.mints.length, 1, 'the malformed answer minted nothing')
  sandbox.setOrgFault(BROKEN, null)
  t.equal((await mint(BROKEN)).status, 201)
  t.equal(sandbox.mints.length, 2)
})

t.test('a bad partner token is refused before the org fault plays', async (t) => {
  sandbox.setOrgFault(BROKEN, { kind: 'status', status: 500 }, 1)
  t.equal((await mint(BROKEN, 'not-the-partner-token')).status, 401)
  t.equal((await mint(BROKEN)).status, 500, 'the fault was still armed')
})

t.test('a group fault on mints comes first and leaves the org unrecorded', async (t) => {
  sandbox.setFault('mint', { kind: 'status', status: 503 }, 1)
  sandbox.setOrgFault(BROKEN, { kind: 'status', status: 500 }, 1)
  t.equal((await mint(BROKEN)).status, 503)
  t.equal((await mint(BROKEN)).status, 500)
  t.same(sandbox.calls.map((call) => call.orgId), [undefined, BROKEN])
})

t.test('reset clears org faults', async (t) => {
  sandbox.setOrgFault(BROKEN, { kind: 'hang' })
  sandbox.reset()
  t.equal((await mint(BROKEN)).status, 201)
})

t.test('PUT /sandbox/org-faults arms and clears an org fault', async (t) => {
  const put = (body: unknown): Promise<Response> => fetch(`${sandbox.url}/sandbox/org-faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body)
  })
  const fault = { kind: 'status', status: 502 }
  t.equal((await put({ orgId: BROKEN, fault, times: 2 })).status, 204)
  t.equal((await mint(BROKEN)).status, 502)
  t.equal((await put({ orgId: BROKEN, fault: null })).status, 204)
  t.equal((await mint(BROKEN)).status, 201)

  const refused = await put({ orgId: '', fault })
  t.equal(refused.status, 400)
  t.equal((await put({ orgId: BROKEN, fault: { kind: 'explode' } })).status, 400)
})

t.test('setOrgFault refuses what it cannot play', async (t) => {
  t.throws(() => { sandbox.setOrgFault('', { kind: 'hang' }) }, TypeError)
  t.throws(() => { sandbox.setOrgFault(BROKEN, { kind: 'hang' }, 0) }, RangeError)
  t.equal((await mint(BROKEN)).status, 201)
})
