import t from 'tap'
import { seededRandom } from '../src/sandbox/random.js'
import { relatedId, type UnitResource } from '../src/sandbox/resources.js'
import { SANDBOX_ORGS, orgData } from '../src/sandbox/seed.js'

t.test('the generator repeats itself for a seed and differs across seeds', async t => {
  const draw = (seed: string): number[] => {
    const random = seededRandom(seed)
    return Array.from({ length: 20 }, () => random.int(0, 1_000_000))
  }

  t.same(draw('ipF58vfdszo='), draw('ipF58vfdszo='))
  t.not(draw('ipF58vfdszo=').join(), draw('h5D8B5gyHtk=').join())
})

t.test('the orgs have the sizes the sandbox promises', async t => {
  for (const { orgId } of SANDBOX_ORGS) {
    const org = orgData(orgId)
    t.ok(org.customers.length >= 8 && org.customers.length <= 15, `${orgId} customers`)
    t.ok(org.accounts.length >= 10 && org.accounts.length <= 20, `${orgId} accounts`)
    t.ok(org.cards.length >= 8 && org.cards.length <= 15, `${orgId} cards`)
    t.ok(org.transactions.length >= 300, `${orgId} transactions`)
  }
  t.ok(SANDBOX_ORGS.some(({ orgId }) => orgData(orgId).transactions.length >= 1200))
})

t.test('ids are unique across orgs and every relationship resolves in its org', async t => {
  const seen = new Set<string>()
  for (const { orgId } of SANDBOX_ORGS) {
    const org = orgData(orgId)
    const all = [...org.customers, ...org.accounts, ...org.cards, ...org.transactions]
    const ids = new Set(all.map(resource => resource.id))
    t.equal(ids.size, all.length, `${orgId} ids are unique`)
    t.notOk([...ids].some(id => seen.has(id)), `${orgId} shares no id`)
    ids.forEach(id => seen.add(id))

    const dangling = all.flatMap(resource => Object.values(resource.relationships))
      .filter(({ data }) => !ids.has(data.id))
    t.same(dangling, [], `${orgId} has no dangling relationship`)
  }
})

t.test('each account balance is the balance after its last transaction', async t => {
  const org = orgData(SANDBOX_ORGS[0]?.orgId ?? '')
  const last = new Map<string, UnitResource>()
  for (const transaction of org.transactions) {
    last.set(relatedId(transaction, 'account') ?? '', transaction)
  }

  for (const account of org.accounts) {
    const balance = last.get(account.id)?.attributes.balance ?? 0
    t.equal(account.attributes.balance, balance, account.id)
    t.ok(Number(balance) >= 0)
    if (account.attributes.status === 'Closed') t.equal(balance, 0, `closed ${account.id} is empty`)
  }
})
