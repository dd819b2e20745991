import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { TokenFingerprints } from '../callers/audit.js'
import { checkPolicy, type Caller } from '../callers/policy.js'
import { problem, sendProblem } from '../http/problem.js'
import { canonicalScopes } from '../tokens/scopes.js'
import type { TokenService } from '../tokens/token-service.js'
import { sendUnitAnswer } from './answer.js'
import { recordRead, refusal, type ReadEvents } from './audit.js'
import { forwardRead, type Forwarded } from './forward.js'
import { readRouteSchema } from './schemas.js'
import { PROXY_PREFIX, readTarget, type ReadTarget } from './target.js'
import { UnitReader } from './unit-reader.js'

export type { ReadEvents } from './audit.js'

export interface ReadRoutesOptions {
  tokens: Pick<TokenService, 'getToken' | 'invalidate'>
  fingerprints: TokenFingerprints
  allowedScopes: readonly string[]
  unitApiUrl: URL
  timeoutMs: number
  events?: ReadEvents | undefined
}

const UNIT_ROUTE = `${PROXY_PREFIX}:orgId/unit/*`
const READ_METHODS = ['GET', 'HEAD']
const OTHER_METHODS = ['DELETE', 'OPTIONS', 'PATCH', 'POST', 'PUT']

type ReadRequest = FastifyRequest<{ Params: { orgId: string } }>

/**
 * Unit's read endpoints, through the broker: the caller sends its own key,
 * the broker reads Unit with an on-behalf token the caller never sees.
 */
export const readRoutes: FastifyPluginAsyncTypebox<ReadRoutesOptions> = async (app, options) => {
  const reader = new UnitReader({ baseUrl: options.unitApiUrl, timeoutMs: options.timeoutMs })
  app.addHook('onClose', async () => { await reader.close() })
  const allowed = new Set(options.allowedScopes)

  /** One token per caller and org serves every read its policy allows. */
  const askOf = (request: ReadRequest) => ({
    orgId: request.params.orgId,
    scopes: canonicalScopes([...callerOf(request).policy.scopes].filter((s) => allowed.has(s)))
  })

  /** Reads Unit and starts the caller's answer; `started` says whether it did. */
  const forward = async (request: ReadRequest, reply: FastifyReply, target: ReadTarget,
    started: { yes: boolean }): Promise<Forwarded> => {
    const aborted = new AbortController()
    // A caller that leaves before Unit answers should not keep the read going.
    reply.raw.once('close', () => { aborted.abort() })
    const pathAndQuery = target.query === '' ? target.path : `${target.path}?${target.query}`
    const read = { method: request.method as 'GET' | 'HEAD', pathAndQuery, signal: aborted.signal }
    return await forwardRead({ tokens: options.tokens, reader }, askOf(request), read,
      (status, headers, body) => {
        started.yes = true
        sendUnitAnswer(reply, status, headers, body)
      }, request.log)
  }

  const handleRead = async (request: ReadRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const { orgId } = request.params
    const started = { yes: false }
    let target: ReadTarget | undefined
    try {
      if (request.validationError !== undefined) throw request.validationError
      target = readTarget(request.url)
      checkPolicy(callerOf(request), { orgId, scopes: [target.read.scope] })
      const done = await forward(request, reply, target, started)
      recordRead(request, options.events, {
        orgId,
        resource: target.read.path,
        status: done.status,
        fingerprint: options.fingerprints.of(done.token),
        retried: done.retried
      })
    } catch (err) {
      const resource = target?.read.path
      if (!started.yes) {
        recordRead(request, options.events, { orgId, resource, ...refusal(err) })
        throw err
      }
      // Unit's answer broke off midway; the caller's connection is cut with it.
      recordRead(request, options.events, { orgId, resource, status: reply.statusCode, cut: true })
    }
    return reply
  }

  app.get(UNIT_ROUTE, { schema: readRouteSchema, attachValidation: true }, handleRead)

  app.route({
    method: OTHER_METHODS,
    url: UNIT_ROUTE,
    schema: { hide: true },
    // Refused before any body is read: the proxy takes none.
    onRequest: async (request, reply) => {
      const { orgId } = (request as ReadRequest).params
      recordRead(request, undefined, { orgId, status: 405, reason: 'method_not_allowed' })
      return sendProblem(reply.header('allow', READ_METHODS.join(', ')),
        problem('method_not_allowed', 'The broker forwards Unit reads only: GET and HEAD.'))
    },
    handler: async () => { throw new Error('unreachable: onRequest answers') }
  })
}

/** The auth hook runs first on every /v1 route, so a handler always has its caller. */
function callerOf (request: FastifyRequest): Caller {
  if (request.caller === null) throw new Error('route reached without a caller')
  return request.caller
}
