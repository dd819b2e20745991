import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { BrokerError } from '../../errors.js'
import { canonicalScopes, checkScopes } from '../../tokens/scopes.js'
import type { CacheOutcome, TokenService } from '../../tokens/token-service.js'
import { BODY_PROBLEMS, UNIT_PROBLEMS, problemResponses } from '../responses.js'
import { InvalidateBody, TokenAnswer, TokenAnswerHeaders, tokenRequestBody } from '../schemas.js'

export interface TokenRoutesOptions {
  tokens: TokenService
  allowedScopes: readonly string[]
  maxMinTtlSeconds: number
}

/** RFC 9211: where the answer came from, named after this cache. */
const CACHE_STATUS: Record<CacheOutcome, string> = {
  hit: 'unit-token-broker; hit',
  miss: 'unit-token-broker; fwd=miss',
  stale: 'unit-token-broker; fwd=stale'
}

export const tokenRoutes: FastifyPluginAsyncTypebox<TokenRoutesOptions> = async (app, options) => {
  const allowed = new Set(options.allowedScopes)
  const scopeSet = (scopes: string | string[]): string[] => {
    const canonical = canonicalScopes(scopes)
    const wrong = checkScopes(canonical, allowed)
    if (wrong !== undefined) throw new BrokerError('invalid_request', wrong)
    return canonical
  }

  app.post('/v1/tokens', {
    schema: {
      summary: 'Get an on-behalf token for an org and scope set',
      operationId: 'getToken',
      tags: ['tokens'],
      body: tokenRequestBody(options.maxMinTtlSeconds),
      response: {
        200: { ...TokenAnswer, description: 'A token with the life asked for', headers: TokenAnswerHeaders },
        ...problemResponses(...BODY_PROBLEMS, 'org_not_shared', ...UNIT_PROBLEMS)
      }
    }
  }, async (request, reply) => {
    const { orgId, minTtlSeconds } = request.body
    const grant = await options.tokens.getToken(
      { orgId, scopes: scopeSet(request.body.scopes), minTtlSeconds }, request.log)

    reply.header('cache-status', CACHE_STATUS[grant.cache])
      .header('cache-control', `private, max-age=${grant.reuseForSeconds}`)
    return {
      token: grant.token,
      orgId: grant.orgId,
      scopes: grant.scopes,
      expiresAt: new Date(grant.expiresAt).toISOString(),
      expiresIn: grant.expiresInSeconds
    }
  })

  app.post('/v1/tokens/invalidate', {
    schema: {
      summary: 'Drop a cached token, for a caller whose call to Unit came back 401',
      operationId: 'invalidateToken',
      tags: ['tokens'],
      body: InvalidateBody,
      response: {
        204: { type: 'null', description: 'Dropped, or nothing to drop' },
        ...problemResponses(...BODY_PROBLEMS, 'store_unavailable')
      }
    }
  }, async (request, reply) => {
    const { orgId, token } = request.body
    await options.tokens.invalidate(
      { orgId, scopes: scopeSet(request.body.scopes), token }, request.log)
    return reply.code(204).send(null)
  })
}
