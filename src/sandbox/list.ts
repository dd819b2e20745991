import { invalidParameter } from './json-api.js'
import { relatedId, type UnitResource } from './resources.js'

export interface ListQuery {
  limit: number
  offset: number
  newestFirst: boolean
  filter: ListFilter
}

export interface ListFilter {
  customerId?: string
  accountId?: string
  status?: string[]
  since?: number
  until?: number
}

export type FilterName = keyof ListFilter

export interface ListPage {
  data: UnitResource[]
  meta: { pagination: { total: number, limit: number, offset: number } }
}

const MAX_LIMIT = 1000
const SINGLE_VALUE = new Set(['page[limit]', 'page[offset]', 'sort'])
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/

/**
 * Reads Unit's bracketed list parameters from the raw URL: fastify's query
 * parser keeps `page[limit]` as a flat key and would miss `filter[status][0]`.
 * Parameters Unit does not define for lists are ignored, as Unit ignores them.
 */
export function parseListQuery (url: string): ListQuery {
  const start = url.indexOf('?')
  const params = new URLSearchParams(start === -1 ? '' : url.slice(start + 1))
  const seen = new Set<string>()
  const query: ListQuery = { limit: 100, offset: 0, newestFirst: true, filter: {} }

  for (const [key, value] of params) {
    // `filter[status][]` may repeat; any other key given twice is ambiguous.
    if (SINGLE_VALUE.has(key) || (key.startsWith('filter[') && !key.endsWith('[]'))) {
      if (seen.has(key)) throw invalidParameter(key, `${key} is given more than once`)
      seen.add(key)
    }
    readParameter(query, key, value)
  }
  return query
}

function readParameter (query: ListQuery, key: string, value: string): void {
  if (key === 'page[limit]') {
    query.limit = integerParameter(key, value, 1, MAX_LIMIT)
  } else if (key === 'page[offset]') {
    query.offset = integerParameter(key, value, 0, Number.MAX_SAFE_INTEGER)
  } else if (key === 'sort') {
    if (value !== 'createdAt' && value !== '-createdAt') {
      throw invalidParameter(key, 'sort must be createdAt or -createdAt')
    }
    query.newestFirst = value === '-createdAt'
  } else if (key.startsWith('filter[')) {
    readFilter(query.filter, key, value)
  }
}

function integerParameter (key: string, value: string, min: number, max: number): number {
  const number = /^\d{1,16}$/.test(value) ? Number(value) : NaN
  if (!(number >= min && number <= max)) {
    throw invalidParameter(key, `${key} must be an integer from ${min} to ${max}`)
  }
  return number
}

function readFilter (filter: ListFilter, key: string, value: string): void {
  const match = /^filter\[(\w+)\](\[\d*\])?$/.exec(key)
  const name = match?.[1]
  const isArray = match?.[2] !== undefined

  if (name === 'status') {
    // Unit's SDKs send list filters in array form only.
    if (!isArray) throw invalidParameter(key, 'status filters are given as filter[status][0]')
    filter.status = [...filter.status ?? [], value]
  } else if (isArray) {
    // Other array filters are not modelled by the sandbox.
  } else if (name === 'customerId' || name === 'accountId') {
    filter[name] = value
  } else if (name === 'since' || name === 'until') {
    const time = ISO_TIME.test(value) ? Date.parse(value) : NaN
    if (Number.isNaN(time)) throw invalidParameter(key, `${key} must be an ISO-8601 time`)
    filter[name] = time
  }
}

/** Applies the filters a collection supports, then sort and page. */
export function listPage (
  items: readonly UnitResource[], query: ListQuery, supported: readonly FilterName[]
): ListPage {
  const matching = items.filter(item => matches(item, query.filter, supported))
  if (query.newestFirst) matching.reverse()
  const data = matching.slice(query.offset, query.offset + query.limit)
  const pagination = { total: matching.length, limit: query.limit, offset: query.offset }
  return { data, meta: { pagination } }
}

function matches (
  item: UnitResource, filter: ListFilter, supported: readonly FilterName[]
): boolean {
  const unused = (name: FilterName): boolean =>
    !supported.includes(name) || filter[name] === undefined
  const createdAt = Date.parse(item.attributes.createdAt)
  const status = String(item.attributes.status)

  return (unused('customerId') || relatedId(item, 'customer') === filter.customerId) &&
    (unused('accountId') || relatedId(item, 'account') === filter.accountId) &&
    (unused('status') || filter.status?.includes(status) === true) &&
    (unused('since') || createdAt >= (filter.since ?? 0)) &&
    // `until` is exclusive so that consecutive windows never repeat an item.
    (unused('until') || createdAt < (filter.until ?? 0))
}
