import { Unit } from '@unit-finance/unit-node-sdk'
import t from 'tap'
import { postToken } from './helpers/broker.js'
import { setup } from './helpers/fixture.js'

// The org whose id holds `+` and `/`.
const ORG = 'q+7/Xz3kL0A='
const SCOPES = ['customers', 'accounts', 'cards', 'transactions']

t.test('Unit\'s Node SDK reads the sandbox with a token the broker minted', async t => {
  const { sandbox, broker } = await setup(t)
  const minted = await postToken(broker, { orgId: ORG, scopes: SCOPES })
  t.equal(minted.status, 200)
  const unit = new Unit(minted.json.token, sandbox.url)

  const customers = await unit.customers.list({ limit: 3, status: ['Active'] })
  t.equal(customers.data.length, 3)
  t.ok(customers.data.every(customer => customer.attributes.status === 'Active'))
  t.equal((await unit.customers.get(customers.data[0]?.id ?? '')).data.id, customers.data[0]?.id)

  const accounts = await unit.accounts.list({ limit: 2 })
  const account = accounts.data[0]
  const withOwner = await unit.accounts.get(account?.id ?? '', 'customer')
  t.equal(withOwner.data.type, 'depositAccount')
  t.match(withOwner.included, [{ type: /Customer$/, id: String }])

  const cards = await unit.cards.list({ limit: 2 })
  t.equal((await unit.cards.get(cards.data[0]?.id ?? '')).data.id, cards.data[0]?.id)

  const transactions = await unit.transactions.list({ limit: 5, sort: 'createdAt' })
  t.equal(transactions.data.length, 5)
  const first = transactions.data[0]
  const accountId = first?.relationships.account?.data.id ?? ''
  t.same((await unit.transactions.get(accountId, first?.id ?? '')).data, first)
  t.equal(transactions.meta?.pagination?.total, 360)
})

t.test('the SDK sees the sandbox\'s refusals as Unit errors', async t => {
  const { sandbox, broker } = await setup(t)
  const minted = await postToken(broker, { orgId: ORG, scopes: ['customers'] })
  const unit = new Unit(minted.json.token, sandbox.url)

  await t.rejects(unit.customers.get('999999'), { isUnitError: true, errors: [{ status: '404' }] })
  await t.rejects(unit.cards.list(), { isUnitError: true, errors: [{ status: '403' }] })
})
