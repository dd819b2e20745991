import Type from 'typebox'
import { OrgId } from '../http/schemas.js'

/**
 * The read routes stay out of openapi.yaml: a Unit path spans several
 * segments, which an OpenAPI path parameter cannot, and a generated client
 * would encode its slashes (which the broker refuses). The README documents
 * them; Unit's SDKs are their client.
 */
export const readRouteSchema = {
  hide: true,
  params: Type.Object({ orgId: OrgId, '*': Type.String() })
}
