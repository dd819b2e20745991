import { Unit } from '@unit-finance/unit-node-sdk'
import t from 'tap'
import { setup } from './helpers/fixture.js'
import { unitReads, unitThrough } from './helpers/proxy.js'

// The org whose id holds `/`, `+` and `=`: the SDK's base URL carries it encoded.
const ORG = 'q+7/Xz3kL0A='

t.test('Unit\'s SDK reads an org through the broker with nothing but a caller key', async t => {
  const { sandbox, broker } = await setup(t)
  const unit = new Unit(broker.callerKey ?? '', unitThrough(broker, ORG))

  const customers = await unit.customers.list({ limit: 4, status: ['Active'] })
  const accounts = await unit.accounts.list({ limit: 4 })
  const cards = await unit.cards.list({ limit: 4 })
  const transactions = await unit.transactions.list({ limit: 4 })
  const customer = await unit.customers.get(customers.data[0]?.id ?? '')
  const account = await unit.accounts.get(accounts.data[0]?.id ?? '', 'customer')
  const card = await unit.cards.get(cards.data[0]?.id ?? '')
  const first = transactions.data[0]
  const transaction = await unit.transactions.get(
    first?.relationships.account?.data.id ?? '', first?.id ?? '')

  const token = sandbox.mints[0]?.token ?? ''
  t.equal(sandbox.count('mint'), 1, 'one token served every read')
  t.match(sandbox.mints[0], { orgId: ORG })
  t.equal(unitReads(sandbox).length, 8)
  t.ok(unitReads(sandbox).every((call) => call.headers.authorization === `Bearer ${token}`))

  // The same SDK straight at the stand-in, with the broker's token, reads the same.
  const direct = new Unit(token, sandbox.url)
  t.same(customers, await direct.customers.list({ limit: 4, status: ['Active'] }))
  t.same(accounts, await direct.accounts.list({ limit: 4 }))
  t.same(cards, await direct.cards.list({ limit: 4 }))
  t.same(transactions, await direct.transactions.list({ limit: 4 }))
  t.equal(customer.data.id, customers.data[0]?.id)
  t.equal(account.data.id, accounts.data[0]?.id)
  t.match(account.included, [{ type: /Customer$/ }])
  t.equal(card.data.id, cards.data[0]?.id)
  t.same(transaction.data, first)
  t.equal(customers.data.length, 4)
})

t.test('through the broker, the SDK sees Unit\'s refusals as Unit errors', async t => {
  const { broker } = await setup(t)
  const unit = new Unit(broker.callerKey ?? '', unitThrough(broker, ORG))

  await t.rejects(unit.customers.get('999999'),
    { isUnitError: true, errors: [{ status: '404', code: 'customer_not_found' }] })
})
