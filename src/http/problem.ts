import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { ERROR_CODES, isBrokerError, type ErrorCode } from '../errors.js'
import type { ProblemBody } from './schemas.js'

const PROBLEM_TYPE_BASE = 'urn:unit-token-broker:problem:'
export const PROBLEM_MEDIA_TYPE = 'application/problem+json'

export function problem (code: ErrorCode, detail: string,
  errors?: ProblemBody['errors']): ProblemBody {
  const { status, title } = ERROR_CODES[code]
  const body: ProblemBody = { type: PROBLEM_TYPE_BASE + code, title, status, detail, code }
  if (errors !== undefined) body.errors = errors
  return body
}

export function sendProblem (reply: FastifyReply, body: ProblemBody): FastifyReply {
  return reply.code(body.status)
    .header('cache-control', 'no-store')
    .type(PROBLEM_MEDIA_TYPE)
    .send(body)
}

/**
 * Turns every failure into a problem answer. 5xx answers other than the
 * contract's own never show an internal message.
 */
export function handleError (error: FastifyError, request: FastifyRequest,
  reply: FastifyReply): FastifyReply {
  if (isBrokerError(error)) {
    if (error.retryAfterSeconds !== undefined) {
      reply.header('retry-after', String(error.retryAfterSeconds))
    }
    const level = error.status >= 500 ? 'warn' : 'info'
    request.log[level]({ code: error.code, ...error.logContext }, error.message)
    return sendProblem(reply, problem(error.code, error.message))
  }
  if (error.validation !== undefined) {
    const errors = error.validation.map((issue) => ({
      pointer: issue.instancePath === '' ? '/' : issue.instancePath,
      detail: issue.message ?? 'is not valid'
    }))
    return sendProblem(reply, problem('invalid_request', error.message, errors))
  }
  return sendProblem(reply, clientOrInternal(error, request))
}

function clientOrInternal (error: FastifyError, request: FastifyRequest): ProblemBody {
  const status = error.statusCode ?? 500
  if (status === 413) return problem('payload_too_large', 'The request body is too large.')
  if (status === 415) {
    return problem('unsupported_media_type', 'Send the request body as application/json.')
  }
  if (status >= 400 && status < 500) return problem('invalid_request', error.message)
  request.log.error({ err: error }, 'request failed')
  return problem('internal_error', 'The broker failed to handle the request.')
}

export function handleNotFound (request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendProblem(reply, problem('not_found', `There is no ${request.method} route at this path.`))
}
