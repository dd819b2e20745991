import { request as httpRequest } from 'node:http'
import t from 'tap'
import { bearer, writeCallers } from './helpers/callers.js'
import { ORG_1, ORG_2, setup } from './helpers/fixture.js'
import { logged, readThrough } from './helpers/proxy.js'

const ORG_1_PATH = `/v1/orgs/${encodeURIComponent(ORG_1)}/unit`

interface RawAnswer {
  status: number | undefined
  headers: Record<string, string | string[] | undefined>
  // any: the tests read fields of problem bodies.
  json: any
}

/**
 * A request whose target goes out exactly as written: no URL parser on the
 * way resolves dot segments or re-encodes characters.
 */
async function rawRequest (base: string, target: string, key: string | undefined,
  method = 'GET'): Promise<RawAnswer> {
  const { hostname, port } = new URL(base)
  return await new Promise((resolve, reject) => {
    const sent = httpRequest({ hostname, port, path: target, method, headers: bearer(key) },
      (answer) => {
        let text = ''
        answer.setEncoding('utf8').on('data', (chunk: string) => { text += chunk })
        answer.on('end', () => {
          let json: unknown
          try { json = JSON.parse(text) } catch { json = undefined }
          resolve({ status: answer.statusCode, headers: answer.headers, json })
        })
      })
    sent.on('error', reject).end()
  })
}

const REFUSED: Array<[string, string, number, string]> = [
  ['a dot-dot segment', '/customers/..', 400, 'invalid_request'],
  ['traversal to another route', '/customers/../../../tokens', 400, 'invalid_request'],
  ['a dot segment', '/./customers', 400, 'invalid_request'],
  ['an encoded slash', '/customers%2F1', 400, 'invalid_request'],
  ['encoded dots', '/customers/%2e%2e', 400, 'invalid_request'],
  ['an encoded letter', '/%63ustomers', 400, 'invalid_request'],
  ['a backslash', '/customers\\..\\tokens', 400, 'invalid_request'],
  ['an empty segment', '//customers', 400, 'invalid_request'],
  ['a trailing slash', '/customers/', 400, 'invalid_request'],
  ['nothing after /unit/', '/', 400, 'invalid_request'],
  ['another host in the path', '//evil.example/customers', 400, 'invalid_request'],
  ['a URL in the path', '/http://evil.example/customers', 400, 'invalid_request'],
  ['a user part', '/customers@evil.example', 400, 'invalid_request'],
  ['an encoded CR LF in the query', '/customers?x=%0D%0AX-Injected:%201', 400, 'invalid_request'],
  ['an encoded NUL in the query', '/customers?filter[query]=a%00', 400, 'invalid_request'],
  ['an oversized URL', `/customers?filter[query]=${'a'.repeat(5000)}`, 400, 'invalid_request'],
  ['a path outside the table', '/applications', 404, 'not_found'],
  ['a write path', '/customers/1/archive', 404, 'not_found'],
  ['a transaction outside its account', '/transactions/1', 404, 'not_found'],
  ['a partner endpoint', '/partners/orgs', 404, 'not_found'],
  ['an id form Unit does not have', '/statements/1', 404, 'not_found']
]

t.test('each unsafe or unknown path is refused before it reaches Unit', async t => {
  const { sandbox, broker } = await setup(t)
  for (const [what, path, status, code] of REFUSED) {
    const answer = await rawRequest(broker.url, ORG_1_PATH + path, broker.callerKey)
    t.equal(answer.status, status, what)
    t.equal(answer.json?.code, code, what)
    t.equal(answer.headers['content-type'], 'application/problem+json; charset=utf-8', what)
  }
  t.equal(sandbox.count('reads'), 0, 'Unit saw no read')
  t.equal(sandbox.count('mint'), 0, 'nor a mint')
  t.equal(logged(broker, 'unit_read').length, REFUSED.length, 'each refusal is audited')
})

t.test('an absolute-form request target is refused', async t => {
  const { sandbox, broker } = await setup(t)
  const target = `http://evil.example${ORG_1_PATH}/customers`
  const answer = await rawRequest(broker.url, target, broker.callerKey)
  t.equal(answer.status, 400)
  t.equal(answer.json?.code, 'invalid_request')
  t.equal(sandbox.count('reads'), 0)
})

t.test('every method but GET and HEAD is 405, before any body is read', async t => {
  const { sandbox, broker } = await setup(t)
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
    const answer = await rawRequest(broker.url, `${ORG_1_PATH}/customers`, broker.callerKey,
      method)
    t.equal(answer.status, 405, method)
    t.equal(answer.json?.code, 'method_not_allowed', method)
    t.equal(answer.headers.allow, 'GET, HEAD', method)
  }
  t.equal(sandbox.calls.length, 0)
})

t.test('the caller\'s policy holds: other orgs and other scopes are 403', async t => {
  const callers = writeCallers(t, [{ name: 'rewards', orgs: [ORG_1], scopes: ['customers'] }])
  const { sandbox, broker } = await setup(t, { BROKER_CALLERS_FILE: callers.file })
  const as = { headers: bearer(callers.keys.rewards) }

  const otherOrg = await readThrough(broker, ORG_2, '/customers', as)
  const otherScope = await readThrough(broker, ORG_1, '/cards', as)
  for (const answer of [otherOrg, otherScope]) {
    t.equal(answer.status, 403)
    t.equal(answer.json.code, 'forbidden')
  }
  t.equal(sandbox.calls.length, 0, 'Unit saw nothing')
  t.equal((await readThrough(broker, ORG_1, '/customers', as)).status, 200)
})

t.test('no key, a wrong key, a bad org id and an org not shared never reach a read', async t => {
  const { sandbox, broker } = await setup(t)
  const noKey = await readThrough(broker, ORG_1, '/customers', { headers: { authorization: '' } })
  const wrongKey = await readThrough(broker, ORG_1, '/customers', { headers: bearer('utb_wrong') })
  const badOrg = await readThrough(broker, 'not an org!', '/customers')
  const notShared = await readThrough(broker, 'AAAAAAAAAAA=', '/customers')

  t.match([noKey, wrongKey].map((answer) => answer.json.code), ['unauthorized', 'unauthorized'])
  t.equal(badOrg.status, 400)
  t.equal(badOrg.json.code, 'invalid_request')
  t.equal(notShared.status, 404)
  t.equal(notShared.json.code, 'org_not_shared')
  t.equal(sandbox.count('reads'), 0)
  t.equal(sandbox.count('mint'), 0)
})
