import t from 'tap'
import { jsonOf } from './helpers/json.js'
import { SANDBOX_ORGS, startSandbox } from '../src/sandbox/index.js'

interface Resource {
  type: string
  id: string
  attributes: Record<string, unknown> & { createdAt: string }
  relationships: Record<string, { data: { type: string, id: string } }>
}

interface Page {
  data: Resource[]
  meta: { pagination: { total: number, limit: number, offset: number } }
}

const [LARGE, SECOND, SLASHED] = SANDBOX_ORGS.map(org => org.orgId) as [string, string, string]
const ALL_SCOPES = 'customers accounts cards transactions authorizations statements payments ' +
  'counterparties events'

let clock = Date.parse('2025-07-01T12:00:00Z')
const sandbox = await startSandbox({ now: () => clock })
t.teardown(() => sandbox.close())

async function mint (attributes: Record<string, unknown>, base = sandbox.url): Promise<string> {
  const response = await fetch(`${base}/partners/token`, {
    method: 'POST',
    headers: {
      authorization: 'Bearer sandbox-partner-token',
      'content-type': 'application/vnd.api+json'
    },
    body: JSON.stringify({ data: { type: 'createOnBehalfToken', attributes } })
  })
  return (await jsonOf(response)).data.attributes.token
}

function read (path: string, token: string, base = sandbox.url): Promise<Response> {
  return fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } })
}

async function readPage (path: string, token: string): Promise<Page> {
  const response = await read(path, token)
  if (response.status !== 200) throw new Error(`${path}: ${response.status}`)
  return await jsonOf(response)
}

async function errorOf (response: Response): Promise<{ status: string, code: string }> {
  return (await jsonOf(response)).errors[0]
}

const large = await mint({ orgId: LARGE, scopes: ALL_SCOPES })
const second = await mint({ orgId: SECOND, scopes: ALL_SCOPES })
const slashed = await mint({ orgId: SLASHED, scopes: ALL_SCOPES })

t.test('each token reads only its own org', async t => {
  const ours = await readPage('/customers', large)
  const theirs = await readPage('/customers', second)
  const ourIds = new Set(ours.data.map(customer => customer.id))

  t.ok(ours.data.length >= 8 && ours.data.length <= 15)
  t.notOk(theirs.data.some(customer => ourIds.has(customer.id)))
  const foreign = theirs.data[0]?.id ?? ''
  const response = await read(`/customers/${foreign}`, large)
  t.equal(response.status, 404)
  t.match(await errorOf(response), { status: '404', code: 'customer_not_found' })
  t.equal((await read(`/customers/${foreign}`, second)).status, 200)
})

t.test('the org whose id holds + and / has its data like any other', async t => {
  const accounts = await readPage('/accounts', slashed)

  t.ok(accounts.data.length >= 10 && accounts.data.length <= 20)
})

t.test('resources have Unit shapes: types, integer cents, ISO times, relationships', async t => {
  const customer = (await readPage('/customers?page[limit]=1', large)).data[0]
  const account = (await readPage('/accounts?page[limit]=1', large)).data[0]
  const card = (await readPage('/cards?page[limit]=1', large)).data[0]
  const page = await readPage('/transactions?page[limit]=1000', large)

  t.match(customer?.type, /^(individual|business)Customer$/)
  t.match(customer?.attributes, { status: /^(Active|Archived)$/, address: { country: 'US' } })
  t.match(account, {
    type: 'depositAccount',
    attributes: { currency: 'USD', status: /^(Open|Closed)$/, routingNumber: /^\d{9}$/ },
    relationships: { customer: { data: { type: 'customer' } } }
  })
  t.ok(Number.isInteger(account?.attributes.balance) && Number.isInteger(account?.attributes.available))
  t.match(card, {
    type: /^(individual|business)(Virtual)?DebitCard$/,
    attributes: { last4Digits: /^\d{4}$/, expirationDate: /^\d{4}-\d{2}$/ },
    relationships: { account: { data: { type: 'account' } }, customer: { data: { type: 'customer' } } }
  })
  const types = new Set(page.data.map(transaction => transaction.type))
  t.same([...types].sort(), [
    'atmTransaction', 'bookTransaction', 'feeTransaction', 'originatedAchTransaction',
    'purchaseTransaction', 'receivedAchTransaction'
  ])
  const misshapen = page.data.filter(({ attributes, relationships }) =>
    !Number.isInteger(attributes.amount) || Number(attributes.amount) <= 0 ||
    !Number.isInteger(attributes.balance) ||
    !['Credit', 'Debit'].includes(String(attributes.direction)) ||
    typeof attributes.summary !== 'string' ||
    new Date(attributes.createdAt).toISOString() !== attributes.createdAt ||
    relationships.account === undefined || relationships.customer === undefined)
  t.same(misshapen, [])
})

t.test('a transaction is fetched under its own account only', async t => {
  const transaction = (await readPage('/transactions?page[limit]=1', large)).data[0]
  const accountId = transaction?.relationships.account?.data.id
  const otherAccount = (await readPage('/accounts', large)).data.find(a => a.id !== accountId)

  const found = await read(`/accounts/${accountId}/transactions/${transaction?.id}`, large)
  t.equal(found.status, 200)
  t.same((await jsonOf(found)).data, transaction)
  const elsewhere = await read(`/accounts/${otherAccount?.id}/transactions/${transaction?.id}`, large)
  t.equal(elsewhere.status, 404)
  t.equal((await errorOf(elsewhere)).code, 'transaction_not_found')
  t.equal((await read(`/accounts/${accountId}/transactions/${transaction?.id}`, second)).status, 404)
})

t.test('each read needs the scope named after its resource', async t => {
  const customersOnly = await mint({ orgId: LARGE, scopes: 'customers' })

  t.equal((await read('/customers', customersOnly)).status, 200)
  for (const path of ['/accounts', '/cards', '/transactions', '/events', '/accounts/1/transactions/2']) {
    const response = await read(path, customersOnly)
    t.equal(response.status, 403, path)
    t.equal((await errorOf(response)).code, 'forbidden')
  }
})

t.test('a partner token on a read endpoint is a 403, a missing token a 401', async t => {
  t.equal((await read('/customers', 'sandbox-partner-token')).status, 403)
  t.equal((await fetch(`${sandbox.url}/customers`)).status, 401)
  t.equal((await read('/customers', 'v2.public.invented')).status, 401)
})

t.test('a token expires by the sandbox clock', async t => {
  const issuedAt = clock
  const token = await mint({ orgId: LARGE, scopes: 'customers', expiresIn: 60 })

  clock = issuedAt + 59_999
  t.equal((await read('/customers', token)).status, 200)
  clock = issuedAt + 60_000
  const response = await read('/customers', token)
  t.equal(response.status, 401)
  t.match(await errorOf(response), { status: '401', code: 'unauthorized' })
  clock = issuedAt
})

t.test('a revoked token is a 401 from then on', async t => {
  const token = await mint({ orgId: LARGE, scopes: 'customers' })
  t.equal((await read('/customers', token)).status, 200)

  sandbox.revokeToken(token)
  t.equal((await read('/customers', token)).status, 401)
})

t.test('a token bound to source IPs is refused from any other address', async t => {
  const elsewhere = await mint({ orgId: LARGE, scopes: 'customers', sourceIp: '10.1.2.3,192.0.2.7' })
  const here = await mint({ orgId: LARGE, scopes: 'customers', sourceIp: '10.1.2.3,127.0.0.1' })
  const mapped = await mint({ orgId: LARGE, scopes: 'customers', sourceIp: '::ffff:127.0.0.1' })

  const refused = await read('/customers', elsewhere)
  t.equal(refused.status, 403)
  t.equal((await errorOf(refused)).code, 'forbidden')
  t.equal((await read('/customers', here)).status, 200)
  t.equal((await read('/customers', mapped)).status, 200)

  const lenient = await startSandbox({ enforceSourceIp: false })
  t.teardown(() => lenient.close())
  const token = await mint({ orgId: LARGE, scopes: 'customers', sourceIp: '192.0.2.7' }, lenient.url)
  t.equal((await read('/customers', token, lenient.url)).status, 200, 'not enforced when off')
})

t.test('lists page with page[limit] and page[offset]', async t => {
  const first = await readPage('/transactions', large)
  t.equal(first.data.length, 100, 'default limit 100')
  t.same(first.meta.pagination, { total: first.meta.pagination.total, limit: 100, offset: 0 })
  t.ok(first.meta.pagination.total >= 1200)

  const full = await readPage('/transactions?page[limit]=1000', large)
  t.equal(full.data.length, 1000)
  const rest = await readPage('/transactions?page[limit]=1000&page[offset]=1000', large)
  t.equal(rest.data.length, full.meta.pagination.total - 1000)
  t.same(rest.meta.pagination, { total: full.meta.pagination.total, limit: 1000, offset: 1000 })
  const encoded = await readPage('/transactions?page%5Blimit%5D=3&page%5Boffset%5D=2', large)
  t.same(encoded.data, full.data.slice(2, 5), 'percent-encoded brackets read the same')

  const ids = new Set([...full.data, ...rest.data].map(transaction => transaction.id))
  t.equal(ids.size, full.meta.pagination.total, 'pages neither repeat nor skip')
  const beyond = await readPage('/transactions?page[offset]=99999', large)
  t.same(beyond.data, [])
})

t.test('lists sort by createdAt, newest first unless asked', async t => {
  const times = (page: Page): string[] => page.data.map(item => item.attributes.createdAt)
  const newest = times(await readPage('/transactions?page[limit]=50', large))
  const oldest = times(await readPage('/transactions?page[limit]=50&sort=createdAt', large))
  const explicit = times(await readPage('/transactions?page[limit]=50&sort=-createdAt', large))

  t.same(newest, [...newest].sort().reverse())
  t.same(oldest, [...oldest].sort())
  t.same(explicit, newest)
  t.ok((oldest[0] ?? '') < (newest[0] ?? ''))
})

t.test('lists filter by customer, account, status and time', async t => {
  const accounts = (await readPage('/accounts', large)).data
  const account = accounts[0]
  const customerId = account?.relationships.customer?.data.id

  const byAccount = await readPage(`/transactions?filter[accountId]=${account?.id}&page[limit]=1000`, large)
  t.ok(byAccount.data.length > 0)
  t.ok(byAccount.data.every(item => item.relationships.account?.data.id === account?.id))
  t.equal(byAccount.meta.pagination.total, byAccount.data.length)
  const byCustomer = await readPage(`/accounts?filter[customerId]=${customerId}`, large)
  t.same(byCustomer.data, accounts.filter(item => item.relationships.customer?.data.id === customerId))

  const open = await readPage('/accounts?filter[status][0]=Open', large)
  const both = await readPage('/accounts?filter[status][0]=Open&filter[status][1]=Closed', large)
  t.ok(open.data.every(item => item.attributes.status === 'Open'))
  t.equal(both.meta.pagination.total, accounts.length)
  const repeated = await readPage('/accounts?filter[status][]=Open&filter[status][]=Closed', large)
  t.equal(repeated.meta.pagination.total, accounts.length)

  const since = '2025-01-01T00:00:00Z'
  const until = '2025-02-01T00:00:00.000Z'
  const january = await readPage(`/transactions?filter[since]=${since}&filter[until]=${until}&page[limit]=1000`, large)
  t.ok(january.data.length > 0)
  t.ok(january.data.every(item => item.attributes.createdAt >= '2025-01-01' && item.attributes.createdAt < until))
})

t.test('a bad list parameter is a 400 naming it, and odd input never a 5xx', async t => {
  const bad = [
    'page[limit]=0', 'page[limit]=1001', 'page[limit]=abc', 'page[limit]=1e3', 'page[offset]=-1',
    'sort=amount', 'filter[since]=yesterday', 'filter[until]=2025-13-45', 'filter[status]=Open',
    'page[limit]=5&page[limit]=6'
  ]
  for (const query of bad) {
    const response = await read(`/transactions?${query}`, large)
    t.equal(response.status, 400, query)
    const error = (await jsonOf(response)).errors[0]
    t.equal(error.code, 'invalid_value', query)
    t.equal(error.source.parameter, query.split('=')[0], query)
  }

  const odd = ['%E0%A4%A', 'filter[', 'filter[]]=1', 'page=1', '&&&', 'filter[accountId][x]=1', 'a=%']
  for (const query of odd) {
    t.ok((await read(`/transactions?${query}`, large)).status < 500, query)
  }
})

t.test('the other read endpoints answer empty lists, and 404 for an id', async t => {
  for (const name of ['authorizations', 'statements', 'payments', 'counterparties', 'events']) {
    const page = await readPage(`/${name}`, large)
    t.same(page, { data: [], meta: { pagination: { total: 0, limit: 100, offset: 0 } } }, name)
  }
  const response = await read('/payments/123', large)
  t.equal(response.status, 404)
  t.equal((await errorOf(response)).code, 'payment_not_found')
})

t.test('include adds the related resources once each; an empty include adds nothing', async t => {
  const accounts = await readPage('/accounts?page[limit]=5&include=customer', large)
  const owners = new Set(accounts.data.map(account => account.relationships.customer?.data.id))
  const included = (accounts as Page & { included: Resource[] }).included
  t.same(included.map(customer => customer.id).sort(), [...owners].sort())
  t.ok(included.every(customer => customer.type.endsWith('Customer')))

  const transaction = (await readPage('/transactions?page[limit]=1', large)).data[0]
  const accountId = transaction?.relationships.account?.data.id
  const customerId = transaction?.relationships.customer?.data.id
  const one = await jsonOf(await read(
    `/accounts/${accountId}/transactions/${transaction?.id}?include=account,customer`, large))
  t.match(one.included, [
    { type: 'depositAccount', id: accountId },
    { type: /Customer$/, id: customerId }
  ])
  t.equal(one.included.length, 2)

  const plain = await jsonOf(await read(`/accounts/${accountId}?include=`, large))
  t.notOk('included' in plain)
})

t.test('the sandbox records the headers each read arrived with', async t => {
  await fetch(`${sandbox.url}/customers?page[limit]=1`,
    { headers: { authorization: `Bearer ${large}`, 'x-trace': 'seen' } })
  const call = sandbox.calls.at(-1)
  t.equal(call?.path, '/customers?page[limit]=1')
  t.equal(call?.headers['x-trace'], 'seen')
  t.equal(call?.headers.authorization, `Bearer ${large}`)
})
