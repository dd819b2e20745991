import type { FastifyReply, FastifyRequest } from 'fastify'
import type { CallerRegistry } from '../callers/registry.js'
import type { Caller } from '../callers/policy.js'
import { problem, sendProblem } from './problem.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated calling service, on /v1 routes. */
    caller: Caller | null
  }
}

/** The scheme's name is case-insensitive and may be followed by several spaces (RFC 9110). */
const BEARER = /^bearer +([\x21-\x7e]{1,512}) *$/i

/**
 * Requires a known caller key on every route of the plugin that adds it.
 * Every refusal has one body, so it does not tell a missing key from a wrong
 * or revoked one; the log line does, without the key.
 */
export function requireCaller (registry: CallerRegistry | undefined, anonymous: Caller) {
  return async function authenticate (request: FastifyRequest, reply: FastifyReply):
  Promise<FastifyReply | undefined> {
    if (registry === undefined) {
      request.caller = anonymous
      request.log = request.log.child({ caller: anonymous.name })
      return undefined
    }
    const header = request.headers.authorization
    const key = header === undefined ? undefined : BEARER.exec(header)?.[1]
    const caller = key === undefined ? undefined : registry.authenticate(key)
    if (caller !== undefined) {
      request.caller = caller
      // Every later line of the request, audit and evictions included, names its caller.
      request.log = request.log.child({ caller: caller.name })
      return undefined
    }

    request.log.info({
      event: 'caller_rejected',
      reason: header === undefined ? 'no_key' : key === undefined ? 'malformed' : 'unknown_key'
    }, 'refused a request without a valid caller key')
    reply.header('www-authenticate', 'Bearer realm="unit-token-broker"')
    return sendProblem(reply, problem('unauthorized',
      'A valid caller key is required: Authorization: Bearer <key>.'))
  }
}
