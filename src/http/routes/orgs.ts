import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { OrgDirectory } from '../../tokens/orgs.js'
import { UNIT_PROBLEMS, problemResponses } from '../responses.js'
import { OrgsAnswer } from '../schemas.js'

export interface OrgRoutesOptions {
  orgs: OrgDirectory
}

export const orgRoutes: FastifyPluginAsyncTypebox<OrgRoutesOptions> = async (app, options) => {
  app.get('/v1/orgs', {
    schema: {
      summary: 'List the orgs shared with the partner',
      operationId: 'listOrgs',
      tags: ['orgs'],
      response: {
        200: { ...OrgsAnswer, description: 'The orgs, from a list reused for ORGS_CACHE_SECONDS' },
        ...problemResponses(...UNIT_PROBLEMS, 'internal_error')
      }
    }
  }, async () => ({ orgs: await options.orgs.list() }))
}
