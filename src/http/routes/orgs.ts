import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { OrgDirectory } from '../../tokens/orgs.js'
import { OrgsAnswer, Problem } from '../schemas.js'

export interface OrgRoutesOptions {
  orgs: OrgDirectory
}

export const orgRoutes: FastifyPluginAsyncTypebox<OrgRoutesOptions> = async (app, options) => {
  app.get('/v1/orgs', {
    schema: {
      summary: 'List the orgs shared with the partner',
      response: { 200: OrgsAnswer, 502: Problem, 503: Problem, 504: Problem }
    }
  }, async () => ({ orgs: await options.orgs.list() }))
}
