import t from 'tap'
import { jsonOf } from './helpers/json.js'
import { SANDBOX_ORGS, startSandbox } from '../src/sandbox/index.js'

const PARTNER = 'Bearer sandbox-partner-token'
const JSON_API = 'application/vnd.api+json'

const sandbox = await startSandbox({ partnerTokens: ['sandbox-partner-token', 'second-token'] })
t.teardown(() => sandbox.close())
t.beforeEach(() => {
  sandbox.reset()
  sandbox.setPartnerTokens(['sandbox-partner-token', 'second-token'])
})

function listOrgs (authorization?: string): Promise<Response> {
  const headers: Record<string, string> = authorization === undefined ? {} : { authorization }
  return fetch(`${sandbox.url}/partners/orgs`, { headers })
}

/** POST /partners/token with a createOnBehalfToken body made of these attributes. */
function requestToken (
  attributes: unknown, headers: Record<string, string> = {}
): Promise<Response> {
  const body = JSON.stringify({ data: { type: 'createOnBehalfToken', attributes } })
  return postToken(body, headers)
}

function postToken (body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${sandbox.url}/partners/token`, {
    method: 'POST',
    headers: { authorization: PARTNER, 'content-type': JSON_API, ...headers },
    body
  })
}

const ORG = SANDBOX_ORGS[0]?.orgId ?? ''

t.test('GET /partners/orgs lists the shared orgs, the id in attributes.orgId', async t => {
  const response = await listOrgs(PARTNER)

  t.equal(response.status, 200)
  t.equal(response.headers.get('content-type'), JSON_API)
  const document = await jsonOf(response)
  t.same(document.data.map((org: { attributes: unknown }) => org.attributes), SANDBOX_ORGS)
  t.ok(document.data.every((org: object) => !('id' in org) && 'type' in org))
  t.ok(SANDBOX_ORGS.length >= 3)
  t.ok(SANDBOX_ORGS.some(org => org.orgId.includes('/') && org.orgId.includes('+')))
  t.equal(sandbox.count('orgs'), 1)
})

t.test('a missing, unknown or replaced partner token is a 401', async t => {
  for (const authorization of [undefined, 'Bearer nope', 'Basic c2FuZGJveA==', 'Bearer']) {
    const response = await listOrgs(authorization)
    t.equal(response.status, 401, String(authorization))
    const [error] = (await jsonOf(response)).errors
    t.equal(error.status, '401')
    t.equal(error.code, 'unauthorized')
    t.match(error.meta.supportId, /^[0-9a-f-]{36}$/)
  }

  sandbox.setPartnerTokens(['second-token'])
  t.equal((await listOrgs(PARTNER)).status, 401)
  t.equal((await listOrgs('Bearer second-token')).status, 200)

  sandbox.revokeToken('second-token')
  t.equal((await listOrgs('Bearer second-token')).status, 401)
  t.equal((await requestToken({ orgId: ORG, scopes: 'customers' }, { authorization: 'x' })).status, 401)
})

t.test('a mint answers 201 with a v2.public token and the lifetime granted', async t => {
  const response = await requestToken({ orgId: ORG, scopes: 'customers cards' })

  t.equal(response.status, 201)
  t.equal(response.headers.get('content-type'), JSON_API)
  const { data } = await jsonOf(response)
  t.equal(data.type, 'onBehalfToken')
  t.match(data.attributes.token, /^v2\.public\.[A-Za-z0-9_-]{60,}$/)
  t.equal(data.attributes.expiresIn, 86400)
  t.equal(sandbox.mints.length, 1)
  t.match(sandbox.mints[0], {
    orgId: ORG, scopes: ['customers', 'cards'], expiresIn: 86400, token: data.attributes.token
  })
  const mint = sandbox.mints[0]
  t.equal(mint?.expiresAt, (mint?.issuedAt ?? 0) + 86_400_000)
})

t.test('Unit grants the lifetime asked, at most the cap when one is set', async t => {
  const granted = async (expiresIn?: number): Promise<number> => {
    const response = await requestToken({ orgId: ORG, scopes: 'customers', expiresIn })
    return (await jsonOf(response)).data.attributes.expiresIn
  }

  t.equal(await granted(3600), 3600)
  sandbox.grantLifetime(600)
  t.equal(await granted(3600), 600)
  t.equal(await granted(), 600)
  t.equal(await granted(120), 120)
  sandbox.grantLifetime(null)
  t.equal(await granted(), 86400)
  t.same(sandbox.mints.map(mint => mint.expiresIn), [3600, 600, 600, 120, 86400])
  t.throws(() => sandbox.grantLifetime(0), RangeError)
})

t.test('a mint needs Content-Type application/vnd.api+json, else 415', async t => {
  const body = JSON.stringify({
    data: { type: 'createOnBehalfToken', attributes: { orgId: ORG, scopes: 'customers' } }
  })
  for (const contentType of ['application/json', `${JSON_API}; charset=utf-8`, 'text/plain']) {
    const response = await postToken(body, { 'content-type': contentType })
    t.equal(response.status, 415, contentType)
    t.equal((await jsonOf(response)).errors[0].code, 'unsupported_media_type')
  }
  const unauthorized = await postToken(body, { authorization: 'Bearer nope', 'content-type': 'text/plain' })
  t.equal(unauthorized.status, 401, 'the token is checked first')
  t.equal(sandbox.mints.length, 0)
})

t.test('each invalid mint request is a 400 pointing at the bad member', async t => {
  const cases: Array<[string, string, string]> = [
    ['not JSON', '{"data":', ''],
    ['no body', '', ''],
    ['no data', '{}', '/data'],
    ['data not an object', '{"data":[]}', '/data'],
    ['wrong type', '{"data":{"type":"onBehalfToken","attributes":{"orgId":"a","scopes":"customers"}}}',
      '/data/type'],
    ['no attributes', '{"data":{"type":"createOnBehalfToken"}}', '/data/attributes']
  ]
  const attributes: Array<[string, object, string]> = [
    ['missing orgId', { scopes: 'customers' }, 'orgId'],
    ['orgId not a string', { orgId: 7, scopes: 'customers' }, 'orgId'],
    ['missing scopes', { orgId: ORG }, 'scopes'],
    ['scopes as an array', { orgId: ORG, scopes: ['customers'] }, 'scopes'],
    ['scopes separated by two spaces', { orgId: ORG, scopes: 'customers  cards' }, 'scopes'],
    ['scopes separated by a comma', { orgId: ORG, scopes: 'customers,cards' }, 'scopes'],
    ['a trailing space', { orgId: ORG, scopes: 'customers ' }, 'scopes'],
    ['an unknown scope', { orgId: ORG, scopes: 'customers wishes' }, 'scopes'],
    ['a write scope', { orgId: ORG, scopes: 'customers accounts-write' }, 'scopes'],
    ['a payments write scope', { orgId: ORG, scopes: 'payments-write-counterparty' }, 'scopes'],
    ['a customer-token scope', { orgId: ORG, scopes: 'cards-sensitive' }, 'scopes'],
    ['sourceIp with a space', { orgId: ORG, scopes: 'cards', sourceIp: '1.2.3.4, 5.6.7.8' }, 'sourceIp'],
    ['sourceIp not an IP', { orgId: ORG, scopes: 'cards', sourceIp: 'localhost' }, 'sourceIp'],
    ['sourceIp as a CIDR', { orgId: ORG, scopes: 'cards', sourceIp: '10.0.0.0/8' }, 'sourceIp'],
    ['sourceIp empty', { orgId: ORG, scopes: 'cards', sourceIp: '' }, 'sourceIp'],
    ['expiresIn zero', { orgId: ORG, scopes: 'cards', expiresIn: 0 }, 'expiresIn'],
    ['expiresIn over a day', { orgId: ORG, scopes: 'cards', expiresIn: 86401 }, 'expiresIn'],
    ['expiresIn fractional', { orgId: ORG, scopes: 'cards', expiresIn: 1.5 }, 'expiresIn'],
    ['expiresIn a string', { orgId: ORG, scopes: 'cards', expiresIn: '3600' }, 'expiresIn'],
    ['an unknown attribute', { orgId: ORG, scopes: 'cards', expiration: 3600 }, 'expiration']
  ]
  for (const [name, attributeSet, member] of attributes) {
    const body = JSON.stringify({ data: { type: 'createOnBehalfToken', attributes: attributeSet } })
    cases.push([name, body, `/data/attributes/${member}`])
  }

  for (const [name, body, pointer] of cases) {
    const response = await postToken(body)
    t.equal(response.status, 400, name)
    const { errors } = await jsonOf(response)
    t.match(errors, [{ status: '400', title: 'Bad Request', code: 'invalid_value' }], name)
    t.equal(errors[0].source.pointer, pointer, name)
    t.type(errors[0].detail, 'string')
  }
  t.equal(sandbox.mints.length, 0, 'no token minted')
})

t.test('a request with several bad attributes gets an error for each', async t => {
  const response = await requestToken({ scopes: 'accounts-write', expiresIn: 0 })

  const pointers = (await jsonOf(response)).errors.map((error: any) => error.source.pointer)
  t.same(pointers.sort(), ['/data/attributes/expiresIn', '/data/attributes/orgId', '/data/attributes/scopes'])
})

t.test('an org not shared with the partner is a 403', async t => {
  const response = await requestToken({ orgId: 'bm90U2hhcmVk', scopes: 'customers' })

  t.equal(response.status, 403)
  t.match((await jsonOf(response)).errors, [{ status: '403', title: 'Forbidden', code: 'forbidden' }])
  t.equal(sandbox.mints.length, 0)
})

t.test('an on-behalf token cannot call the partner endpoints', async t => {
  const minted = await (await jsonOf(await requestToken({ orgId: ORG, scopes: 'customers' })))

  const response = await listOrgs(`Bearer ${minted.data.attributes.token}`)
  t.equal(response.status, 403)
})

t.test('every request is recorded in order, with its status', async t => {
  await listOrgs()
  await requestToken({ orgId: ORG, scopes: 'customers' })

  t.match(sandbox.calls, [
    { method: 'GET', path: '/partners/orgs', status: 401 },
    { method: 'POST', path: '/partners/token', status: 201 }
  ])
  t.equal(sandbox.count('orgs'), 1)
  t.equal(sandbox.count('mint'), 1)
  t.equal(sandbox.count('reads'), 0)
})
