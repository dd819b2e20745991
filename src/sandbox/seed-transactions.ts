import { relationship, type UnitResource } from './resources.js'
import type { Random } from './random.js'
import {
  ATMS, FIRST_NAMES, LAST_NAMES, MERCHANTS, PAYEES, PAYERS, PLACES
} from './seed-names.js'

const HOUR = 3_600_000
/** Seed data ends here, so the same request answers the same on any day. */
export const WINDOW_END = Date.parse('2025-06-30T18:00:00Z')

export interface AccountSeed {
  id: string
  customerId: string
  customerName: string
  business: boolean
  createdAt: number
  closed: boolean
  savings: boolean
  cards: CardSeed[]
  /** Running balance in cents; after seeding, the account's balance. */
  balance: number
}

interface CardSeed {
  id: string
  last4Digits: string
}

/** What a transaction does, before it is posted to an account's balance. */
interface Draft {
  type: string
  direction: 'Credit' | 'Debit'
  amount: number
  summary: string
  details?: Record<string, unknown>
  card?: CardSeed
}

type DraftMaker = (random: Random, account: AccountSeed) => Draft

export function seedTransactions (
  random: Random, nextId: () => string, accounts: AccountSeed[], total: number
): UnitResource[] {
  const counts = split(random, total, accounts.length)
  return accounts.flatMap((account, index) =>
    accountTransactions(random, nextId, account, counts[index] ?? 0))
}

/** Splits `total` into `parts` uneven shares that add up to it exactly. */
function split (random: Random, total: number, parts: number): number[] {
  const weights = Array.from({ length: parts }, () => 0.3 + random.next())
  const sum = weights.reduce((a, b) => a + b, 0)
  const counts = weights.map(weight => Math.floor(total * weight / sum))
  let missing = total - counts.reduce((a, b) => a + b, 0)
  for (let index = 0; missing > 0; index++, missing--) counts[index] = (counts[index] ?? 0) + 1
  return counts
}

function accountTransactions (
  random: Random, nextId: () => string, account: AccountSeed, count: number
): UnitResource[] {
  const times = Array.from({ length: count }, () =>
    random.int(account.createdAt + HOUR, WINDOW_END)).sort((a, b) => a - b)
  // A closed account was emptied before it was closed.
  const closedAt = account.closed ? times.pop() : undefined

  const posted = times.map((time, index) => {
    const draft = index === 0 ? openingDeposit(random) : nextDraft(random, account)
    return post(account, draft, time, nextId())
  })
  if (closedAt !== undefined && account.balance > 0) {
    posted.push(post(account, closingTransfer(account.balance), closedAt, nextId()))
  }
  return posted
}

function post (account: AccountSeed, draft: Draft, time: number, id: string): UnitResource {
  account.balance += draft.direction === 'Credit' ? draft.amount : -draft.amount
  const relationships = {
    account: relationship('account', account.id),
    customer: relationship('customer', account.customerId),
    ...(draft.card === undefined ? {} : { card: relationship('card', draft.card.id) })
  }
  return {
    type: draft.type,
    id,
    attributes: {
      createdAt: new Date(time).toISOString(),
      direction: draft.direction,
      amount: draft.amount,
      balance: account.balance,
      summary: draft.summary,
      ...draft.details
    },
    relationships
  }
}

function nextDraft (random: Random, account: AccountSeed): Draft {
  const makers = account.cards.length > 0 ? [...CARD_MAKERS, ...BANK_MAKERS] : BANK_MAKERS
  const draft = random.pick(makers)(random, account)
  // A debit the balance cannot cover becomes a payday instead.
  if (draft.direction === 'Debit' && draft.amount > account.balance) {
    return payroll(random)
  }
  return draft
}

function openingDeposit (random: Random): Draft {
  return {
    type: 'bookTransaction',
    direction: 'Credit',
    amount: random.int(200, 5000) * 100,
    summary: 'Opening deposit'
  }
}

function closingTransfer (balance: number): Draft {
  return {
    type: 'bookTransaction',
    direction: 'Debit',
    amount: balance,
    summary: 'Closing balance transfer'
  }
}

function payroll (random: Random): Draft {
  const companyName = random.pick(PAYERS)
  return {
    type: 'receivedAchTransaction',
    direction: 'Credit',
    amount: random.int(1200, 4500) * 100 + random.int(0, 99),
    summary: `${companyName} | PAYROLL`,
    details: { companyName, counterpartyRoutingNumber: random.digits(9), description: 'PAYROLL' }
  }
}

const purchase: DraftMaker = (random, account) => {
  const card = random.pick(account.cards)
  const merchant = random.pick(MERCHANTS)
  const place = random.pick(PLACES)
  const location = `${place.city}, ${place.state}`
  return {
    type: 'purchaseTransaction',
    direction: 'Debit',
    amount: random.int(300, 25_000),
    summary: `Purchase from ${merchant.name} | Address: ${location} | **${card.last4Digits}`,
    details: { merchant: { ...merchant, location }, cardLast4Digits: card.last4Digits },
    card
  }
}

const atmWithdrawal: DraftMaker = (random, account) => {
  const card = random.pick(account.cards)
  const atmName = random.pick(ATMS)
  const place = random.pick(PLACES)
  return {
    type: 'atmTransaction',
    direction: 'Debit',
    amount: random.int(1, 15) * 2000,
    summary: `ATM withdrawal | ${atmName} | **${card.last4Digits}`,
    details: {
      atmName,
      atmLocation: `${place.city}, ${place.state}`,
      surcharge: random.chance(0.5) ? 0 : 300,
      cardLast4Digits: card.last4Digits
    },
    card
  }
}

const fee: DraftMaker = random => ({
  type: 'feeTransaction',
  direction: 'Debit',
  amount: random.int(1, 15) * 100,
  summary: random.chance(0.5) ? 'Monthly maintenance fee' : 'Paper statement fee'
})

const achPayment: DraftMaker = random => {
  const name = random.pick(PAYEES)
  return {
    type: 'originatedAchTransaction',
    direction: 'Debit',
    amount: random.int(5_000, 180_000),
    summary: `ACH payment to ${name}`,
    details: { description: 'PAYMENT', counterparty: externalAccount(random, name) }
  }
}

const achPull: DraftMaker = (random, account) => ({
  type: 'originatedAchTransaction',
  direction: 'Credit',
  amount: random.int(50, 2000) * 100,
  summary: `Transfer from ${account.customerName} external account`,
  details: { description: 'TRANSFER', counterparty: externalAccount(random, account.customerName) }
})

const bookTransfer: DraftMaker = random => {
  const name = `${random.pick(FIRST_NAMES)} ${random.pick(LAST_NAMES)}`
  const incoming = random.chance(0.5)
  return {
    type: 'bookTransaction',
    direction: incoming ? 'Credit' : 'Debit',
    amount: random.int(1_000, 60_000),
    summary: incoming ? `Book transfer from ${name}` : `Book transfer to ${name}`,
    details: {
      counterparty: { ...externalAccount(random, name), routingNumber: '812345678' }
    }
  }
}

function externalAccount (random: Random, name: string): Record<string, string> {
  return {
    name,
    routingNumber: `0${random.digits(8)}`,
    accountNumber: random.digits(10),
    accountType: 'Checking'
  }
}

// Repeats weigh the choice: purchases are the most common card transactions,
// paydays the most common credits.
const CARD_MAKERS: DraftMaker[] = [purchase, purchase, purchase, purchase, purchase, atmWithdrawal]
const BANK_MAKERS: DraftMaker[] = [
  fee, achPayment, achPayment, achPull, bookTransfer, bookTransfer, payroll, payroll
]
