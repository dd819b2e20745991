import fastify, {
  type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest
} from 'fastify'
import { faultHook, holdHook } from './faults.js'
import { JSON_API, UnitError, codeOf, errorDocument } from './json-api.js'
import { CONTROL_PREFIX, controlRoutes } from './routes-control.js'
import { mintOrgOf } from './mint.js'
import { mintRoutes, orgRoutes } from './routes-partners.js'
import { readRoutes } from './routes-reads.js'
import type { SandboxState } from './state.js'
import type { CallRecord, FaultTarget } from './types.js'

export function buildApp (state: SandboxState, logger: boolean): FastifyInstance {
  // Closing must release hanging requests, so it destroys every connection.
  const app = fastify({ logger, forceCloseConnections: true })

  // Bodies stay strings until a route reads them: the mint route answers a
  // wrong media type with Unit's 415 only after it has checked the token.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    done(null, body)
  })

  app.setErrorHandler(sendError)
  app.setNotFoundHandler(async (request, reply) => {
    const detail = `No endpoint ${request.method} ${request.url.split('?')[0]}`
    return reply.code(404).type(JSON_API).send(errorDocument(404, [{ code: 'not_found', detail }]))
  })
  recordCalls(app, state)
  // JSON:API forbids media type parameters, and fastify adds a charset.
  app.addHook('onSend', async (_request, reply) => {
    if (String(reply.getHeader('content-type')).startsWith(JSON_API)) reply.type(JSON_API)
  })

  app.register(controlRoutes(state), { prefix: CONTROL_PREFIX })
  app.register(unitGroup(state, 'orgs', orgRoutes(state)))
  app.register(unitGroup(state, 'mint', mintRoutes(state)))
  app.register(unitGroup(state, 'reads', readRoutes(state)))
  return app
}

function unitGroup (
  state: SandboxState, target: FaultTarget, routes: (app: FastifyInstance) => void
) {
  return async function registerUnitGroup (app: FastifyInstance): Promise<void> {
    app.addHook('onRequest', async (_request, reply) => { reply.type(JSON_API) })
    app.addHook('onRequest', faultHook(state, target))
    app.addHook('onSend', holdHook(state))
    routes(app)
  }
}

function recordCalls (app: FastifyInstance, state: SandboxState): void {
  const records = new WeakMap<FastifyRequest, CallRecord>()

  app.addHook('onRequest', async request => {
    if (request.routeOptions.url?.startsWith(`${CONTROL_PREFIX}/`) === true) return
    const record = {
      method: request.method,
      path: request.url,
      status: 0,
      at: state.now(),
      headers: { ...request.headers }
    }
    state.calls.push(record)
    records.set(request, record)
  })
  // The org of a mint is known once its body is read; a group fault answers before that.
  app.addHook('preHandler', async request => {
    const record = records.get(request)
    if (record === undefined || request.routeOptions.url !== '/partners/token') return
    const orgId = mintOrgOf(request.body)
    if (orgId !== undefined) record.orgId = orgId
  })
  // onSend, not onResponse: the status is recorded before the client can read it.
  app.addHook('onSend', async (request, reply) => {
    const record = records.get(request)
    if (record !== undefined) record.status = reply.statusCode
  })
}

function sendError (
  error: FastifyError | UnitError, request: FastifyRequest, reply: FastifyReply
): FastifyReply {
  if (error instanceof UnitError) {
    return reply.code(error.status).type(JSON_API).send(errorDocument(error.status, error.items))
  }

  // Fastify's own errors (a bad media type, a body too large) keep their 4xx.
  const status = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500
  if (status === 500) request.log.error({ err: error }, 'sandbox failed to answer')
  const detail = status === 500 ? 'The sandbox failed; its log has the cause' : error.message
  const document = errorDocument(status, [{ code: codeOf(status), detail }])
  return reply.code(status).type(JSON_API).send(document)
}
