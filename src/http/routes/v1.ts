import rateLimit from '@fastify/rate-limit'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { TokenFingerprints } from '../../callers/audit.js'
import type { Caller } from '../../callers/policy.js'
import type { CallerRegistry } from '../../callers/registry.js'
import { BrokerError } from '../../errors.js'
import { readRoutes, type ReadEvents } from '../../proxy/routes.js'
import type { OrgDirectory } from '../../tokens/orgs.js'
import type { TokenService } from '../../tokens/token-service.js'
import type { RedisClient } from '../../stores/redis-events.js'
import { requireCaller } from '../auth.js'
import { callerCounts } from '../rate-limit-store.js'
import { orgRoutes } from './orgs.js'
import { tokenRoutes } from './tokens.js'

export interface V1RoutesOptions {
  orgs: OrgDirectory
  tokens: TokenService
  callers: CallerRegistry | undefined
  fingerprints: TokenFingerprints
  allowedScopes: readonly string[]
  maxMinTtlSeconds: number
  rateLimit: { perMinute: number, redis: RedisClient | undefined, prefix: string }
  /** Unit's base URL and time allowed, for reads through the broker. */
  unit: { url: URL, timeoutMs: number }
  readEvents?: ReadEvents
}

/**
 * The caller-facing API. Every route here takes a caller key, and each caller
 * has a budget of requests a minute, counted in Redis when there is one so
 * that replicas share it.
 */
export const v1Routes: FastifyPluginAsyncTypebox<V1RoutesOptions> = async (app, options) => {
  const anonymous: Caller = {
    name: 'anonymous',
    keyHash: Buffer.alloc(0),
    policy: {
      orgs: '*',
      scopes: new Set(options.allowedScopes),
      maxMinTtlSeconds: undefined,
      sourceIps: undefined,
      requestsPerMinute: undefined
    }
  }
  app.decorateRequest('caller', null)
  app.addHook('onRequest', requireCaller(options.callers, anonymous))

  const { perMinute, redis, prefix } = options.rateLimit
  await app.register(rateLimit, {
    // After the caller is known, and before its body is read.
    hook: 'preParsing',
    timeWindow: 60_000,
    max: (request) => request.caller?.policy.requestsPerMinute ?? perMinute,
    keyGenerator: (request) => request.caller?.name ?? request.ip,
    store: callerCounts(redis, prefix),
    onExceeded: (request) => {
      request.log.warn({ event: 'caller_rate_limited', caller: request.caller?.name },
        'a caller went over its request budget')
    },
    errorResponseBuilder: (_request, context) => new BrokerError('rate_limited',
      `Too many requests from this caller: at most ${context.max} a minute.`,
      { retryAfterSeconds: Math.max(1, Math.ceil(context.ttl / 1000)) })
  })

  await app.register(orgRoutes, { orgs: options.orgs })
  await app.register(tokenRoutes, {
    tokens: options.tokens,
    allowedScopes: options.allowedScopes,
    maxMinTtlSeconds: options.maxMinTtlSeconds,
    fingerprints: options.fingerprints
  })
  await app.register(readRoutes, {
    tokens: options.tokens,
    fingerprints: options.fingerprints,
    allowedScopes: options.allowedScopes,
    unitApiUrl: options.unit.url,
    timeoutMs: options.unit.timeoutMs,
    events: options.readEvents
  })
}
