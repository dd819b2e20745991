/** A JSON:API resource as Unit's read endpoints return it. */
export interface UnitResource {
  type: string
  id: string
  attributes: Record<string, unknown> & { createdAt: string }
  relationships: Record<string, Relationship>
}

export interface Relationship {
  data: { type: string, id: string }
}

export function relationship (type: string, id: string): Relationship {
  return { data: { type, id } }
}

export function relatedId (resource: UnitResource, name: string): string | undefined {
  return resource.relationships[name]?.data.id
}

/** The org's data, each list in ascending `createdAt` order. */
export interface OrgData {
  customers: UnitResource[]
  accounts: UnitResource[]
  cards: UnitResource[]
  transactions: UnitResource[]
}
