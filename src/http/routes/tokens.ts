import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { TokenFingerprints } from '../../callers/audit.js'
import { checkPolicy, type Caller } from '../../callers/policy.js'
import { BrokerError, isBrokerError } from '../../errors.js'
import { canonicalScopes, checkScopes } from '../../tokens/scopes.js'
import type {
  CacheOutcome, TokenGrant, TokenRequest, TokenService
} from '../../tokens/token-service.js'
import {
  BODY_PROBLEMS, CALLER_KEY, CALLER_PROBLEMS, UNIT_PROBLEMS, problemResponses
} from '../responses.js'
import { InvalidateBody, TokenAnswer, TokenAnswerHeaders, tokenRequestBody } from '../schemas.js'

interface TokenBody {
  orgId: string
  scopes: string | string[]
  minTtlSeconds?: number
}

export interface TokenRoutesOptions {
  tokens: TokenService
  allowedScopes: readonly string[]
  maxMinTtlSeconds: number
  fingerprints: TokenFingerprints
}

/** RFC 9211: where the answer came from, named after this cache. */
const CACHE_STATUS: Record<CacheOutcome, string> = {
  hit: 'unit-token-broker; hit',
  miss: 'unit-token-broker; fwd=miss',
  stale: 'unit-token-broker; fwd=stale'
}

/** The audit log's words for how a token was handed out. */
const AUDIT_OUTCOME: Record<CacheOutcome, string> = {
  hit: 'hit', miss: 'minted', stale: 'renewed'
}

export const tokenRoutes: FastifyPluginAsyncTypebox<TokenRoutesOptions> = async (app, options) => {
  const allowed = new Set(options.allowedScopes)

  /** The mint inputs of a request, once the caller's policy allows them. */
  const askOf = (caller: Caller, body: TokenBody): TokenRequest => {
    const scopes = canonicalScopes(body.scopes)
    const wrong = checkScopes(scopes, allowed)
    if (wrong !== undefined) throw new BrokerError('invalid_request', wrong)
    const ask = { orgId: body.orgId, scopes, minTtlSeconds: body.minTtlSeconds }
    checkPolicy(caller, ask)
    return { ...ask, sourceIps: caller.policy.sourceIps }
  }

  app.post('/v1/tokens', {
    schema: {
      summary: 'Get an on-behalf token for an org and scope set',
      operationId: 'getToken',
      tags: ['tokens'],
      body: tokenRequestBody(options.maxMinTtlSeconds),
      security: CALLER_KEY,
      response: {
        200: {
          ...TokenAnswer, description: 'A token with the life asked for', headers: TokenAnswerHeaders
        },
        ...problemResponses(...BODY_PROBLEMS, ...CALLER_PROBLEMS, 'forbidden', 'org_not_shared',
          ...UNIT_PROBLEMS)
      }
    },
    attachValidation: true
  }, async (request, reply) => {
    let grant: TokenGrant
    try {
      if (request.validationError !== undefined) throw request.validationError
      grant = await options.tokens.getToken(
        askOf(callerOf(request), request.body), request.log)
    } catch (err) {
      auditRefusal(request, err)
      throw err
    }
    request.log.info({
      event: 'token_issued',
      caller: callerOf(request).name,
      orgId: grant.orgId,
      scopes: grant.scopes,
      outcome: AUDIT_OUTCOME[grant.cache],
      expiresIn: grant.expiresInSeconds,
      fingerprint: options.fingerprints.of(grant.token)
    }, 'handed out an on-behalf token')

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
      security: CALLER_KEY,
      response: {
        204: { type: 'null', description: 'Dropped, or nothing to drop' },
        ...problemResponses(...BODY_PROBLEMS, ...CALLER_PROBLEMS, 'forbidden', 'store_unavailable')
      }
    }
  }, async (request, reply) => {
    const { token } = request.body
    await options.tokens.invalidate(
      { ...askOf(callerOf(request), request.body), token }, request.log)
    return reply.code(204).send(null)
  })
}

/** The auth hook runs first on every /v1 route, so a handler always has its caller. */
function callerOf (request: FastifyRequest): Caller {
  if (request.caller === null) throw new Error('route reached without a caller')
  return request.caller
}

function auditRefusal (request: FastifyRequest, err: unknown): void {
  const body = (request.body ?? {}) as Record<string, unknown>
  request.log.info({
    event: 'token_refused',
    caller: request.caller?.name,
    orgId: typeof body.orgId === 'string' ? body.orgId.slice(0, 128) : undefined,
    scopes: scopesOf(body.scopes),
    outcome: 'refused',
    reason: isBrokerError(err) ? err.code : 'invalid_request'
  }, 'refused an on-behalf token')
}

/** The scopes of a refused body, when they are at least strings. */
function scopesOf (scopes: unknown): string[] | undefined {
  if (typeof scopes === 'string') return canonicalScopes(scopes.slice(0, 1024)).slice(0, 64)
  if (!Array.isArray(scopes) || !scopes.every((scope) => typeof scope === 'string')) {
    return undefined
  }
  return canonicalScopes(scopes.slice(0, 64) as string[])
}
