import type { FastifyInstance, FastifyRequest } from 'fastify'
import { orgFaultHook } from './faults.js'
import { JSON_API, UnitError, forbidden } from './json-api.js'
import { parseMintRequest } from './mint.js'
import { SANDBOX_ORGS, isSharedOrg } from './seed.js'
import type { SandboxState } from './state.js'

export function orgRoutes (state: SandboxState) {
  return function registerOrgRoutes (app: FastifyInstance): void {
    app.get('/partners/orgs', { onRequest: partnerOnly(state) }, async () => ({
      data: SANDBOX_ORGS.map(org => ({ type: 'org', attributes: { ...org } }))
    }))
  }
}

export function mintRoutes (state: SandboxState) {
  return function registerMintRoutes (app: FastifyInstance): void {
    const hooks = { onRequest: partnerOnly(state), preHandler: orgFaultHook(state) }
    app.post('/partners/token', hooks, async (request, reply) => {
      requireJsonApi(request)
      const mintRequest = parseMintRequest(request.body)
      if (!isSharedOrg(mintRequest.orgId)) {
        throw forbidden(`Org ${mintRequest.orgId} is not shared with this partner`)
      }

      const minted = state.mint(mintRequest)
      const { orgId, expiresIn } = minted
      request.log.info({ orgId, expiresIn }, 'on-behalf token minted')
      return reply.code(201).send({
        data: {
          type: 'onBehalfToken',
          attributes: { token: minted.token, expiresIn: minted.expiresIn }
        }
      })
    })
  }
}

// Runs before the body is read, so a bad token is a 401 whatever the body.
function partnerOnly (state: SandboxState) {
  return async function checkPartnerToken (request: FastifyRequest): Promise<void> {
    state.tokens.checkPartner(request.headers.authorization)
  }
}

/** JSON:API allows no media type parameters here, not even charset. */
function requireJsonApi (request: FastifyRequest): void {
  const contentType = request.headers['content-type']
  if (contentType?.trim().toLowerCase() !== JSON_API) {
    throw new UnitError(415, [{
      code: 'unsupported_media_type',
      detail: `Content-Type must be ${JSON_API}`
    }])
  }
}
