import Fastify, {
  LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply,
  type FastifyRequest, type RawServerDefault
} from 'fastify'
import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Logger } from 'pino'
import type { TokenFingerprints } from './callers/audit.js'
import type { CallerRegistry } from './callers/registry.js'
import { systemTimer, type Clock, type Timer } from './clock.js'
import type { Config } from './config/config.js'
import { lifeAtRefreshSeconds } from './config/config.js'
import { resilienceSettings } from './config/resilience.js'
import { registerOpenApi } from './http/openapi.js'
import { handleError, handleNotFound, problem, sendProblem } from './http/problem.js'
import { BrokerMetrics } from './metrics/metrics.js'
import { observeStore, observeUnit } from './metrics/observe.js'
import { registerMetrics } from './metrics/routes.js'
import { healthRoutes } from './http/routes/health.js'
import { v1Routes } from './http/routes/v1.js'
import type { RedisClient } from './stores/redis-events.js'
import type { MintCoordinator, TokenStore } from './stores/store.js'
import { OrgDirectory } from './tokens/orgs.js'
import { TokenService, type RenewalBudget } from './tokens/token-service.js'
import type { UnitClient } from './unit/client.js'
import { ResilientUnitClient } from './unit/resilient-client.js'

/** JSON bodies of this API are small; anything larger is refused unread. */
export const BODY_LIMIT_BYTES = 16 * 1024

export type AppConfig = Pick<Config,
  'tokenLifetimeSeconds' | 'tokenRefreshAfter' | 'tokenExpiryMarginSeconds' | 'sourceIps' |
  'orgsCacheSeconds' | 'allowedScopes' | 'callerRateLimitPerMinute' | 'unitApiUrl' |
  'metricsOrgLabels' | 'upstreamTimeoutMs' | 'resilience'>

export type BrokerApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse,
FastifyBaseLogger, TypeBoxTypeProvider>

export interface AppDeps {
  config: AppConfig
  store: TokenStore
  unit: UnitClient
  clock: Clock
  /** How waits between retries to Unit pass; default real time. */
  timer?: Timer | undefined
  logger: Logger
  /** The known callers; undefined when authentication is disabled. */
  callers: CallerRegistry | undefined
  fingerprints: TokenFingerprints
  /** Set `stopping` to drain: readiness fails and connections close after each answer. */
  lifecycle?: { stopping: boolean }
  /** One mint per entry across the replicas sharing the store. */
  coordinator?: MintCoordinator | undefined
  /** Paces background renewals. */
  renewals?: RenewalBudget | undefined
  /** Where per-caller request counts are kept; undefined: this process. */
  rateLimitRedis?: RedisClient | undefined
  rateLimitPrefix?: string
}

/**
 * The most life a caller may ask a token to have left: the life a token has
 * at its refresh point, so that no caller forces mints beyond the broker's
 * own renewal schedule.
 */
export function maxMinTtlSeconds (config: AppConfig): number {
  return lifeAtRefreshSeconds(config.tokenLifetimeSeconds, config.tokenRefreshAfter)
}

/** The caller's `x-request-id` when it is a sane one, else a new id. */
function requestId (request: IncomingMessage): string {
  const given = request.headers['x-request-id']
  return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID()
}

/**
 * One line per request, written when it is answered: its method, path,
 * status and time. Fastify's own `incoming request` line said half of that
 * again and was a third of the logging a cache hit paid for.
 */
class AnswerLog extends LogController {
  override incomingRequest (): void {}

  override requestCompleted (error: Error | null | undefined, request: FastifyRequest,
    reply: FastifyReply): void {
    const line = { req: request, res: reply, responseTime: reply.elapsedTime }
    if (error) reply.log.error({ ...line, err: error }, 'request errored')
    else reply.log.info(line, 'request completed')
  }
}

/** Builds the HTTP service from its parts; the caller owns and closes the parts. */
export async function buildApp (deps: AppDeps): Promise<BrokerApp> {
  const { config, clock, logger } = deps
  // The breakers live in the resilient client, built after the metrics it reports to.
  let openBreakers = (): { unit: number, org: number } => ({ unit: 0, org: 0 })
  const metrics = new BrokerMetrics({
    orgLabels: config.metricsOrgLabels,
    partnerTokenState: () => deps.unit.partnerTokenState,
    openBreakers: () => openBreakers()
  })
  const store = observeStore(deps.store, metrics)
  const unit = observeUnit(deps.unit, metrics)
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    requestIdHeader: false,
    genReqId: requestId,
    logController: new AnswerLog(),
    // Requests already on an open connection when the broker stops are served, not refused.
    return503OnClosing: false,
    // Types are checked, not coerced, and unknown fields are refused.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: true } },
    // A URL fastify cannot even decode still gets a problem answer with its request id.
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', request.id)
      return sendProblem(reply, problem('invalid_request', error.message))
    }
  }).withTypeProvider<TypeBoxTypeProvider>()
  // Bodies are JSON only: a text/plain body is refused as such, not parsed as a string.
  app.removeContentTypeParser('text/plain')

  // Every call that mints or lists orgs goes through the retries and breakers.
  const upstream = new ResilientUnitClient({
    unit,
    clock,
    timer: deps.timer ?? systemTimer,
    log: logger,
    settings: resilienceSettings(config)
  })
  openBreakers = () => upstream.openBreakers()
  const orgs = new OrgDirectory(upstream, clock, logger, config.orgsCacheSeconds)
  const tokens = new TokenService({
    store,
    minter: upstream,
    orgs,
    clock,
    log: logger,
    settings: {
      upstream: config.unitApiUrl.href,
      lifetimeSeconds: config.tokenLifetimeSeconds,
      refreshAfter: config.tokenRefreshAfter,
      marginSeconds: config.tokenExpiryMarginSeconds,
      sourceIps: config.sourceIps
    },
    events: metrics,
    coordinator: deps.coordinator,
    renewals: deps.renewals,
    lockWaitMs: config.upstreamTimeoutMs + 1000
  })

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })
  app.setErrorHandler(handleError)
  app.setNotFoundHandler(handleNotFound)
  await registerOpenApi(app)
  registerMetrics(app, metrics)
  const lifecycle = deps.lifecycle ?? { stopping: false }
  // While stopping, every answer asks the client to drop its connection, so
  // none is left idle to be cut when the server closes.
  app.addHook('onSend', async (_request, reply) => {
    if (lifecycle.stopping) reply.header('connection', 'close')
  })
  await app.register(healthRoutes, {
    store,
    clock,
    stopping: () => lifecycle.stopping,
    partnerTokenState: () => unit.partnerTokenState,
    recheckPartnerToken: async () => await upstream.listOrgs()
  })
  await app.register(v1Routes, {
    orgs,
    tokens,
    callers: deps.callers,
    fingerprints: deps.fingerprints,
    allowedScopes: config.allowedScopes,
    maxMinTtlSeconds: maxMinTtlSeconds(config),
    rateLimit: {
      perMinute: config.callerRateLimitPerMinute,
      redis: deps.rateLimitRedis,
      prefix: deps.rateLimitPrefix ?? 'utb:'
    },
    unit: { url: config.unitApiUrl, timeoutMs: config.upstreamTimeoutMs },
    readEvents: metrics
  })
  return app
}
