import { relatedId, type OrgData, type UnitResource } from './resources.js'

/** The related resources `include` may name, by relationship name. */
const RELATED: Record<string, (org: OrgData) => readonly UnitResource[]> = {
  customer: org => org.customers,
  account: org => org.accounts,
  card: org => org.cards
}

/**
 * Adds Unit's `included` to a document when the URL asks for it with
 * `include=customer,account`. Names with nothing to include are passed over,
 * and an empty `include` (Unit's SDK sends one) asks for nothing.
 */
export function withIncluded<Document extends { data: UnitResource | UnitResource[] }> (
  document: Document, org: OrgData, url: string
): Document & { included?: UnitResource[] } {
  const names = includeOf(url)
  if (names.length === 0) return document
  const items = Array.isArray(document.data) ? document.data : [document.data]
  return { ...document, included: relatedTo(org, items, names) }
}

function includeOf (url: string): string[] {
  const start = url.indexOf('?')
  const value = new URLSearchParams(start === -1 ? '' : url.slice(start + 1)).get('include')
  return (value ?? '').split(',').map(name => name.trim()).filter(name => name !== '')
}

/** Each related resource once, in the order first met. */
function relatedTo (org: OrgData, items: readonly UnitResource[], names: string[]):
UnitResource[] {
  const found = new Map<string, UnitResource>()
  for (const name of names) {
    const pool = RELATED[name]?.(org) ?? []
    for (const item of items) {
      const id = relatedId(item, name)
      const resource = id === undefined ? undefined : pool.find(each => each.id === id)
      if (resource !== undefined) found.set(`${resource.type}/${resource.id}`, resource)
    }
  }
  return [...found.values()]
}
