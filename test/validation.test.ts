import t from 'tap'
import { call, postToken } from './helpers/broker.js'
import { ORG_1, setup } from './helpers/fixture.js'

const malformed: Array<[string, unknown, number]> = [
  ['JSON that does not parse', '{"orgId": "ipF58vfdszo=", "scopes": [', 400],
  ['an empty body', '', 400],
  ['a JSON array', '[]', 400],
  ['an orgId that is a number', { orgId: 123, scopes: ['customers'] }, 400],
  ['scopes that are a number', { orgId: ORG_1, scopes: 5 }, 400],
  ['minTtlSeconds as a string', { orgId: ORG_1, scopes: ['customers'], minTtlSeconds: '600' }, 400],
  ['a negative minTtlSeconds', { orgId: ORG_1, scopes: ['customers'], minTtlSeconds: -1 }, 400],
  ['a fractional minTtlSeconds', { orgId: ORG_1, scopes: ['customers'], minTtlSeconds: 1.5 }, 400],
  ['an unknown field', { orgId: ORG_1, scopes: ['customers'], scope: 'cards' }, 400],
  ['a missing orgId', { scopes: ['customers'] }, 400],
  ['missing scopes', { orgId: ORG_1 }, 400],
  ['an empty scope list', { orgId: ORG_1, scopes: [] }, 400],
  ['a blank scope string', { orgId: ORG_1, scopes: '   ' }, 400],
  ['an unknown scope', { orgId: ORG_1, scopes: ['customers', 'bananas'] }, 400],
  ['a write scope', { orgId: ORG_1, scopes: ['customers', 'payments-write'] }, 400],
  ['a write scope in a string', { orgId: ORG_1, scopes: 'cards customer-tags-write' }, 400],
  ['a scope not allowed here', { orgId: ORG_1, scopes: ['cards-sensitive'] }, 400],
  ['an orgId with a space', { orgId: 'ipF58 vfdszo=', scopes: ['customers'] }, 400],
  ['an orgId with a path', { orgId: '../../partners', scopes: ['customers'] }, 400],
  ['an empty orgId', { orgId: '', scopes: ['customers'] }, 400],
  ['a 200-character orgId', { orgId: 'a'.repeat(200), scopes: ['customers'] }, 400],
  ['an oversized body', { orgId: ORG_1, scopes: ['customers'], pad: 'x'.repeat(20000) }, 413]
]

t.test('malformed requests get a problem answer and Unit sees nothing', async (t) => {
  const { sandbox, broker } = await setup(t)
  for (const [name, body, status] of malformed) {
    const answer = await postToken(broker, body)
    t.equal(answer.status, status, name)
    t.equal(answer.headers['content-type'], 'application/problem+json; charset=utf-8', name)
    t.match(answer.json, { status, type: /^urn:/, title: String, detail: String, code: String },
      name)
  }
  t.equal(sandbox.calls.length, 0, 'no call reached Unit')
})

t.test('a body that is not JSON is refused as such', async (t) => {
  const { sandbox, broker } = await setup(t)
  const answer = await call(broker.url, 'POST', '/v1/tokens', 'orgId=x',
    { 'content-type': 'application/x-www-form-urlencoded' })
  t.equal(answer.status, 415)
  t.equal(answer.json.code, 'unsupported_media_type')
  t.equal(sandbox.calls.length, 0)
})

t.test('the problem names what is wrong', async (t) => {
  const { broker } = await setup(t)
  const write = await postToken(broker, { orgId: ORG_1, scopes: ['payments-write'] })
  t.match(write.json.detail, /'payments-write' is a write scope/)

  const typed = await postToken(broker, { orgId: ORG_1, scopes: ['cards'], minTtlSeconds: 'x' })
  t.match(typed.json.errors, [{ pointer: '/minTtlSeconds', detail: /integer/ }])
})

t.test('an org not shared with the partner is 404 and never minted', async (t) => {
  const { sandbox, broker } = await setup(t)
  const answer = await postToken(broker, { orgId: 'notShared00=', scopes: ['customers'] })
  t.equal(answer.status, 404)
  t.equal(answer.json.code, 'org_not_shared')
  t.equal(sandbox.count('mint'), 0)
})

t.test('an unknown route is a problem answer too', async (t) => {
  const { broker } = await setup(t)
  const answer = await call(broker.url, 'GET', '/v1/tokens')
  t.equal(answer.status, 404)
  t.equal(answer.json.code, 'not_found')
})
