import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { mayUseOrg } from '../../callers/policy.js'
import type { OrgDirectory } from '../../tokens/orgs.js'
import { CALLER_KEY, CALLER_PROBLEMS, UNIT_PROBLEMS, problemResponses } from '../responses.js'
import { OrgsAnswer } from '../schemas.js'

export interface OrgRoutesOptions {
  orgs: OrgDirectory
}

export const orgRoutes: FastifyPluginAsyncTypebox<OrgRoutesOptions> = async (app, options) => {
  app.get('/v1/orgs', {
    schema: {
      summary: 'List the orgs shared with the partner that this caller may use',
      operationId: 'listOrgs',
      tags: ['orgs'],
      security: CALLER_KEY,
      response: {
        200: { ...OrgsAnswer, description: 'The orgs, from a list reused for ORGS_CACHE_SECONDS' },
        ...problemResponses(...CALLER_PROBLEMS, ...UNIT_PROBLEMS, 'internal_error')
      }
    }
  }, async (request) => {
    const orgs = await options.orgs.list()
    const policy = request.caller?.policy
    return { orgs: orgs.filter((org) => policy !== undefined && mayUseOrg(policy, org.orgId)) }
  })
}
