import { relationship, type OrgData, type UnitResource } from './resources.js'
import { seededRandom, type Random } from './random.js'
import { seedTransactions, type AccountSeed } from './seed-transactions.js'
import {
  BUSINESS_NAMES, FIRST_NAMES, LAST_NAMES, PLACES, STREETS
} from './seed-names.js'

interface SeedOrg {
  orgId: string
  orgName: string
  size: { customers: number, accounts: number, cards: number, transactions: number }
}

// Fixed sizes rather than random ones, so a test can rely on them. The first
// org is large enough for a full page of 1000 transactions; the third has an
// id with `+` and `/`, which break a client that puts org ids in URLs raw.
const SEED_ORGS: readonly SeedOrg[] = [
  {
    orgId: 'ipF58vfdszo=',
    orgName: 'Shared Client 1',
    size: { customers: 12, accounts: 18, cards: 14, transactions: 1250 }
  },
  {
    orgId: 'h5D8B5gyHtk=',
    orgName: 'Shared Client 2',
    size: { customers: 9, accounts: 12, cards: 10, transactions: 420 }
  },
  {
    orgId: 'q+7/Xz3kL0A=',
    orgName: 'Shared Client 3',
    size: { customers: 15, accounts: 20, cards: 8, transactions: 360 }
  }
]

/** The orgs shared with every partner token of the sandbox. */
export const SANDBOX_ORGS: ReadonlyArray<{ orgId: string, orgName: string }> = Object.freeze(
  SEED_ORGS.map(({ orgId, orgName }) => Object.freeze({ orgId, orgName }))
)

const DAY = 86_400_000
const WINDOW_START = Date.parse('2024-01-02T09:00:00Z')

// The data depends on the org id alone, so one copy serves every sandbox in the process.
const built = new Map<string, OrgData>()

export function isSharedOrg (orgId: string): boolean {
  return SEED_ORGS.some(org => org.orgId === orgId)
}

/** The org's data, built on first use: starting a sandbox stays instant. */
export function orgData (orgId: string): OrgData {
  const cached = built.get(orgId)
  if (cached !== undefined) return cached

  const index = SEED_ORGS.findIndex(org => org.orgId === orgId)
  const seed = SEED_ORGS[index]
  if (seed === undefined) throw new RangeError(`${orgId} is not a sandbox org`)
  const data = buildOrg(seed, index)
  built.set(orgId, data)
  return data
}

interface CustomerSeed {
  resource: UnitResource
  name: string
  createdAt: number
}

function buildOrg (seed: SeedOrg, index: number): OrgData {
  const random = seededRandom(seed.orgId)
  let lastId = (index + 1) * 1_000_000
  const nextId = (): string => String(++lastId)

  const { size } = seed
  const customers = Array.from({ length: size.customers }, () => seedCustomer(random, nextId()))
  const accounts = seedAccounts(random, nextId, customers, size.accounts)
  const cards = seedCards(random, nextId, accounts, size.cards)
  const transactions = seedTransactions(random, nextId, accounts, size.transactions)

  return {
    customers: byCreatedAt(customers.map(customer => customer.resource)),
    accounts: byCreatedAt(accounts.map(accountResource)),
    cards: byCreatedAt(cards),
    transactions: byCreatedAt(transactions)
  }
}

function byCreatedAt (resources: UnitResource[]): UnitResource[] {
  return resources.sort((a, b) =>
    a.attributes.createdAt.localeCompare(b.attributes.createdAt) || Number(a.id) - Number(b.id))
}

function iso (time: number): string {
  return new Date(time).toISOString()
}

function seedCustomer (random: Random, id: string): CustomerSeed {
  const createdAt = WINDOW_START + random.int(0, 180) * DAY + random.int(0, DAY - 1)
  const first = random.pick(FIRST_NAMES)
  const last = random.pick(LAST_NAMES)
  const email = `${first}.${last}@example.com`.toLowerCase()
  const phone = { countryCode: '1', number: `555${random.digits(7)}` }
  const place = random.pick(PLACES)
  const address = {
    street: `${random.int(10, 9899)} ${random.pick(STREETS)}`, ...place, country: 'US'
  }
  const common = { createdAt: iso(createdAt), phone, address, status: customerStatus(random) }

  if (random.chance(0.3)) {
    const name = random.pick(BUSINESS_NAMES)
    const attributes = {
      ...common,
      name,
      stateOfIncorporation: place.state,
      entityType: name.endsWith('Inc') ? 'Corporation' : 'LLC',
      contact: { fullName: { first, last }, email, phone }
    }
    return { resource: customerResource('businessCustomer', id, attributes), name, createdAt }
  }

  const dateOfBirth = [random.int(1950, 2003), random.int(1, 12), random.int(1, 28)]
    .map(part => String(part).padStart(2, '0')).join('-')
  const attributes = { ...common, fullName: { first, last }, email, dateOfBirth }
  return {
    resource: customerResource('individualCustomer', id, attributes),
    name: `${first} ${last}`,
    createdAt
  }
}

function customerStatus (random: Random): string {
  return random.chance(0.1) ? 'Archived' : 'Active'
}

function customerResource (
  type: string, id: string, attributes: UnitResource['attributes']
): UnitResource {
  return { type, id, attributes, relationships: {} }
}

function seedAccounts (
  random: Random, nextId: () => string, customers: CustomerSeed[], count: number
): AccountSeed[] {
  // Every customer has an account; the rest go to customers at random.
  return Array.from({ length: count }, (_, index) => {
    const customer = customers[index] ?? random.pick(customers)
    return {
      id: nextId(),
      customerId: customer.resource.id,
      customerName: customer.name,
      business: customer.resource.type === 'businessCustomer',
      createdAt: customer.createdAt + random.int(1, 30 * DAY),
      closed: random.chance(0.1),
      savings: index >= customers.length && random.chance(0.4),
      cards: [],
      balance: 0
    }
  })
}

function accountResource (account: AccountSeed): UnitResource {
  const random = seededRandom(account.id)
  const hold = account.closed || account.balance < 5000 ? 0 : random.int(0, 25) * 100
  return {
    type: 'depositAccount',
    id: account.id,
    attributes: {
      createdAt: iso(account.createdAt),
      name: account.customerName,
      depositProduct: account.savings ? 'savings' : 'checking',
      routingNumber: '812345678',
      accountNumber: `10${random.digits(8)}`,
      currency: 'USD',
      balance: account.balance,
      hold,
      available: account.balance - hold,
      status: account.closed ? 'Closed' : 'Open'
    },
    relationships: { customer: relationship('customer', account.customerId) }
  }
}

// Repeats weigh the choice: most cards are in use.
const CARD_STATUSES = [
  'Active', 'Active', 'Active', 'Active', 'Active', 'Inactive', 'Frozen', 'Lost', 'Stolen'
]

function seedCards (
  random: Random, nextId: () => string, accounts: AccountSeed[], count: number
): UnitResource[] {
  const checking = accounts.filter(account => !account.savings)
  return Array.from({ length: count }, () => {
    const account = random.pick(checking)
    const createdAt = account.createdAt + random.int(1, 60 * DAY)
    const last4Digits = random.digits(4)
    const virtual = random.chance(0.4)
    const holder = account.business ? 'business' : 'individual'
    const id = nextId()
    account.cards.push({ id, last4Digits })

    const expiry = new Date(createdAt + 4 * 365 * DAY).toISOString().slice(0, 7)
    const status = account.closed ? 'ClosedByCustomer' : random.pick(CARD_STATUSES)
    return {
      type: virtual ? `${holder}VirtualDebitCard` : `${holder}DebitCard`,
      id,
      attributes: { createdAt: iso(createdAt), last4Digits, expirationDate: expiry, status },
      relationships: {
        account: relationship('account', account.id),
        customer: relationship('customer', account.customerId)
      }
    }
  })
}
