import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { mayUseOrg } from '../../callers/policy.js'
import type { OrgDirectory } from '../../tokens/orgs.js'
import { OrgsAnswer, Problem } from '../schemas.js'

export interface OrgRoutesOptions {
  orgs: OrgDirectory
}

export const orgRoutes: FastifyPluginAsyncTypebox<OrgRoutesOptions> = async (app, options) => {
  app.get('/v1/orgs', {
    schema: {
      summary: 'List the orgs shared with the partner that this caller may use',
      response: {
        200: OrgsAnswer, 401: Problem, 429: Problem, 502: Problem, 503: Problem, 504: Problem
      }
    }
  }, async (request) => {
    const orgs = await options.orgs.list()
    const policy = request.caller?.policy
    return { orgs: orgs.filter((org) => policy !== undefined && mayUseOrg(policy, org.orgId)) }
  })
}
