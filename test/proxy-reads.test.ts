import { request as httpRequest } from 'node:http'
import t from 'tap'
import { DEFAULT_ALLOWED_SCOPES } from '../src/tokens/scopes.js'
import { postToken, type Answer } from './helpers/broker.js'
import { bearer, writeCallers } from './helpers/callers.js'
import { ORG_1, ORG_2, setup } from './helpers/fixture.js'
import { seriesOf, scrape } from './helpers/metrics.js'
import { logged, readDirect, readThrough, unitReads, unitThrough } from './helpers/proxy.js'

const LIST = '/customers?page[limit]=2&filter[status][0]=Active'

/** Whether a token shows anywhere in what the caller received. */
function shows (answer: Answer, token: string): boolean {
  return answer.text.includes(token) || JSON.stringify(answer.headers).includes(token)
}

t.test('a caller reads an org through the broker and gets exactly what Unit answers', async t => {
  const { sandbox, broker } = await setup(t)
  const through = await readThrough(broker, ORG_2, LIST)

  t.equal(through.status, 200)
  t.equal(through.headers['content-type'], 'application/vnd.api+json')
  t.match(sandbox.mints, [{ orgId: ORG_2, scopes: [...DEFAULT_ALLOWED_SCOPES].sort() }])
  const token = sandbox.mints[0]?.token ?? ''
  t.match(unitReads(sandbox), [{ method: 'GET', path: LIST, status: 200 }])
  const direct = await readDirect(sandbox, token, LIST)
  t.equal(through.text, direct.text)
  t.equal(through.json.data.length, 2)
  t.notOk(shows(through, token), 'the token never reaches the caller')
})

t.test('the query string reaches Unit untouched, include and encoded brackets too', async t => {
  const { sandbox, broker } = await setup(t)
  const queries = [
    '/accounts?page%5Blimit%5D=3&page%5Boffset%5D=1&sort=-createdAt&include=customer',
    '/transactions?filter[since]=2024-03-01T00:00:00Z&filter[until]=2024-04-01T00:00:00Z' +
      '&sort=createdAt'
  ]
  for (const query of queries) {
    const through = await readThrough(broker, ORG_1, query)
    t.equal(through.status, 200, query)
    t.equal(unitReads(sandbox).at(-1)?.path, query)
  }
  const accounts = await readThrough(broker, ORG_1, queries[0] ?? '')
  t.equal(accounts.json.data.length, 3)
  t.ok(accounts.json.included.length > 0, 'Unit saw the include')
})

t.test('HEAD is forwarded as HEAD and answers Unit\'s headers', async t => {
  const { sandbox, broker } = await setup(t)
  const head = await readThrough(broker, ORG_1, '/cards?page[limit]=1', { method: 'HEAD' })
  const get = await readThrough(broker, ORG_1, '/cards?page[limit]=1')

  t.equal(head.status, 200)
  t.equal(head.text, '')
  t.equal(head.headers['content-type'], 'application/vnd.api+json')
  t.equal(head.headers['content-length'], String(Buffer.byteLength(get.text)))
  t.match(unitReads(sandbox), [{ method: 'HEAD' }, { method: 'GET' }])
})

t.test('Unit sees the on-behalf token, never the caller\'s key or hop-by-hop headers', async t => {
  const { sandbox, broker } = await setup(t)
  const status = await new Promise<number | undefined>((resolve, reject) => {
    const sent = httpRequest(`${unitThrough(broker, ORG_1)}/customers`, {
      headers: {
        ...bearer(broker.callerKey),
        connection: 'keep-alive, x-hop',
        'x-hop': 'for the next hop only',
        'keep-alive': 'timeout=5',
        te: 'trailers',
        'proxy-authorization': 'Basic eDp5',
        cookie: 'sid=abc',
        'x-forwarded-for': '203.0.113.9',
        'accept-encoding': 'gzip'
      }
    }, (answer) => { answer.resume().on('end', () => { resolve(answer.statusCode) }) })
    sent.on('error', reject).end()
  })

  t.equal(status, 200)
  const [read] = unitReads(sandbox)
  t.equal(read?.headers.authorization, `Bearer ${sandbox.mints[0]?.token ?? ''}`)
  t.same(Object.keys(read?.headers ?? {}).sort(),
    ['accept', 'authorization', 'connection', 'host'])
  t.equal(read?.headers.connection, 'keep-alive')
})

t.test('Unit\'s 403, 404 and 429 reach the caller as Unit sent them', async t => {
  const { sandbox, broker } = await setup(t)
  sandbox.setFault('reads', { kind: 'status', status: 429, headers: { 'Retry-After': '7' } }, 1)
  const limited = await readThrough(broker, ORG_1, '/customers')
  sandbox.setFault('reads', { kind: 'status', status: 403 }, 1)
  const forbidden = await readThrough(broker, ORG_1, '/customers')
  const missing = await readThrough(broker, ORG_1, '/customers/42')

  t.equal(limited.status, 429)
  t.equal(limited.headers['retry-after'], '7')
  t.match(limited.json, { errors: [{ status: '429', code: 'too_many_requests' }] })
  t.equal(forbidden.status, 403)
  t.match(forbidden.json, { errors: [{ status: '403', code: 'forbidden' }] })
  t.equal(missing.status, 404)
  t.match(missing.json, { errors: [{ code: 'customer_not_found' }] })
  for (const answer of [limited, forbidden, missing]) {
    t.equal(answer.headers['content-type'], 'application/vnd.api+json')
  }
  t.equal(sandbox.count('mint'), 1, 'none of them costs a mint')
})

t.test('a token Unit revoked is replaced after one 401, and the read succeeds', async t => {
  const { sandbox, broker } = await setup(t)
  await readThrough(broker, ORG_1, '/cards')
  const revoked = sandbox.mints[0]?.token ?? ''
  sandbox.revokeToken(revoked)

  const read = await readThrough(broker, ORG_1, '/cards')
  t.equal(read.status, 200)
  t.equal(read.json.data.length, 14)
  t.equal(sandbox.count('mint'), 2)
  t.match(unitReads(sandbox).map((call) => call.status), [200, 401, 200])
  const fresh = sandbox.mints[1]?.token ?? ''
  t.notOk(shows(read, revoked) || shows(read, fresh))
  t.match(logged(broker, 'unit_read').at(-1), { status: 200, retried: true })

  const served = await postToken(broker, { orgId: ORG_1, scopes: [...DEFAULT_ALLOWED_SCOPES] })
  t.equal(served.json.token, fresh, 'the cache holds the new token')
})

t.test('a newly minted token that Unit refuses too is a 502, never the caller\'s 401', async t => {
  const { sandbox, broker } = await setup(t)
  sandbox.setFault('reads', { kind: 'status', status: 401 }, 2)
  const read = await readThrough(broker, ORG_1, '/cards')

  t.equal(read.status, 502)
  t.equal(read.json.code, 'upstream_rejected')
  t.equal(sandbox.count('mint'), 2)
  t.equal(sandbox.count('reads'), 2, 'one retry, no more')
})

t.test('one token of the caller\'s scopes serves all its reads of an org', async t => {
  const callers = writeCallers(t, [
    { name: 'rewards', scopes: ['cards', 'customers'], sourceIps: ['203.0.113.10'] }
  ])
  const { sandbox, broker } = await setup(t, { BROKER_CALLERS_FILE: callers.file })
  const as = { headers: bearer(callers.keys.rewards) }
  for (const path of ['/customers', '/cards', '/customers?page[limit]=1']) {
    t.equal((await readThrough(broker, ORG_2, path, as)).status, 200, path)
  }

  t.equal(sandbox.count('mint'), 1)
  // The broker reads Unit from its own address: the caller's sourceIps bind only
  // the tokens the caller itself receives.
  t.match(sandbox.mints[0], { scopes: ['cards', 'customers'], sourceIp: undefined })
})

t.test('every read leaves one audit line and a count by resource and status', async t => {
  const { broker } = await setup(t)
  await readThrough(broker, ORG_1, '/customers')
  await readThrough(broker, ORG_1, '/customers?page[limit]=1')
  await readThrough(broker, ORG_1, '/customers/42')
  await readThrough(broker, ORG_1, '/applications')
  const issued = await postToken(broker, { orgId: ORG_1, scopes: [...DEFAULT_ALLOWED_SCOPES] })

  const fingerprint = logged(broker, 'token_issued')[0]?.fingerprint
  t.match(logged(broker, 'unit_read'), [
    { caller: 'test-service', orgId: ORG_1, resource: '/customers', status: 200, fingerprint },
    { resource: '/customers', status: 200, fingerprint },
    { resource: '/customers/{customerId}', status: 404, fingerprint },
    { resource: undefined, status: 404, reason: 'not_found', fingerprint: undefined }
  ])
  t.notOk(broker.logs.join('\n').includes(issued.json.token), 'the log never holds the token')
  t.same(seriesOf(await scrape(broker), 'unit_token_broker_unit_reads_total'), [
    { resource: '/customers', status_code: '200', value: 2 },
    { resource: '/customers/{customerId}', status_code: '404', value: 1 }
  ])
})

t.test('Unit\'s silence is a 504, and an unreachable Unit a 503', async t => {
  const { sandbox, broker } = await setup(t, { UPSTREAM_TIMEOUT_MS: '300' })
  await readThrough(broker, ORG_1, '/cards')
  sandbox.setFault('reads', { kind: 'hang' }, 1)
  const silent = await readThrough(broker, ORG_1, '/cards')
  t.equal(silent.status, 504)
  t.equal(silent.json.code, 'upstream_timeout')

  await sandbox.close()
  const gone = await readThrough(broker, ORG_1, '/cards')
  t.equal(gone.status, 503)
  t.equal(gone.json.code, 'upstream_unavailable')
})
