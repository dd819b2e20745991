import type { FastifyInstance, FastifyRequest } from 'fastify'
import { withIncluded } from './include.js'
import { notFound } from './json-api.js'
import { listPage, parseListQuery, type FilterName } from './list.js'
import { relatedId, type OrgData, type UnitResource } from './resources.js'
import { orgData } from './seed.js'
import type { SandboxState } from './state.js'

interface Collection {
  /** URL segment, also the scope a token needs to read it. */
  name: string
  /** Singular, for the `{resource}_not_found` code. */
  resource: string
  items: (org: OrgData) => readonly UnitResource[]
  filters: readonly FilterName[]
  /** Whether GET /{name}/{id} exists; transactions are fetched under their account. */
  byId: boolean
}

const TIME: FilterName[] = ['since', 'until']
const NOTHING = (): readonly UnitResource[] => []

const COLLECTIONS: Collection[] = [
  {
    name: 'customers',
    resource: 'customer',
    items: org => org.customers,
    filters: ['status', ...TIME],
    byId: true
  },
  {
    name: 'accounts',
    resource: 'account',
    items: org => org.accounts,
    filters: ['customerId', 'status', ...TIME],
    byId: true
  },
  {
    name: 'cards',
    resource: 'card',
    items: org => org.cards,
    filters: ['customerId', 'accountId', 'status', ...TIME],
    byId: true
  },
  {
    name: 'transactions',
    resource: 'transaction',
    items: org => org.transactions,
    filters: ['customerId', 'accountId', ...TIME],
    byId: false
  },
  // Read endpoints a token may call, which the sandbox seeds with no data.
  ...['authorization', 'statement', 'payment', 'counterparty', 'event'].map(resource => ({
    name: resource === 'counterparty' ? 'counterparties' : `${resource}s`,
    resource,
    items: NOTHING,
    filters: ['customerId', 'accountId', 'status', ...TIME] satisfies FilterName[],
    byId: resource !== 'statement'
  }))
]

type ById = FastifyRequest<{ Params: { id: string } }>
type TransactionById = FastifyRequest<{ Params: { accountId: string, id: string } }>

export function readRoutes (state: SandboxState) {
  return function registerReadRoutes (app: FastifyInstance): void {
    for (const collection of COLLECTIONS) {
      const orgOf = (request: FastifyRequest): OrgData =>
        orgData(orgFor(state, request, collection.name))

      app.get(`/${collection.name}`, async request => {
        const org = orgOf(request)
        const page = listPage(collection.items(org), parseListQuery(request.url),
          collection.filters)
        return withIncluded(page, org, request.url)
      })

      if (!collection.byId) continue
      app.get(`/${collection.name}/:id`, async (request: ById) => {
        const org = orgOf(request)
        const item = collection.items(org).find(resource => resource.id === request.params.id)
        if (item === undefined) throw notFound(collection.resource, request.params.id)
        return withIncluded({ data: item }, org, request.url)
      })
    }

    app.get('/accounts/:accountId/transactions/:id', async (request: TransactionById) => {
      const { accountId, id } = request.params
      const org = orgData(orgFor(state, request, 'transactions'))
      const transaction = org.transactions
        .find(resource => resource.id === id && relatedId(resource, 'account') === accountId)
      if (transaction === undefined) throw notFound('transaction', id)
      return withIncluded({ data: transaction }, org, request.url)
    })
  }
}

function orgFor (state: SandboxState, request: FastifyRequest, scope: string): string {
  const address = state.enforceSourceIp ? request.ip : undefined
  return state.tokens.orgFor(request.headers.authorization, scope, address)
}
