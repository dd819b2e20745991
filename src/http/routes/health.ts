import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Clock } from '../../clock.js'
import type { TokenStore } from '../../stores/store.js'
import type { PartnerTokenState } from '../../unit/client.js'
import { problemResponses } from '../responses.js'
import { HealthAnswer, READY_EXAMPLE, ReadyAnswer, UNREADY_EXAMPLE } from '../schemas.js'

export interface HealthRoutesOptions {
  store: TokenStore
  partnerTokenState: () => PartnerTokenState
  /** Asks Unit again about a rejected partner token; its answer updates the state. */
  recheckPartnerToken: () => Promise<unknown>
  clock: Clock
  /** How long the store may take to answer a readiness probe. */
  storeTimeoutMs?: number
}

/**
 * While the partner token stands rejected, readiness asks Unit again at most
 * this often. Without it a replica taken out of service by its probe would
 * never send the call that could show it recovered.
 */
const RECHECK_MS = 30_000

export const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (app, options) => {
  const storeTimeoutMs = options.storeTimeoutMs ?? 1000
  let lastRecheck = -Infinity
  const recheck = (): void => {
    const now = options.clock.now()
    if (now - lastRecheck < RECHECK_MS) return
    lastRecheck = now
    options.recheckPartnerToken().catch(() => {})
  }

  app.get('/healthz', {
    schema: {
      summary: 'Liveness: the process runs',
      operationId: 'getLiveness',
      tags: ['operations'],
      response: {
        200: { ...HealthAnswer, description: 'The process runs' },
        ...problemResponses('internal_error')
      }
    },
    logLevel: 'warn'
  }, async () => ({ status: 'ok' as const }))

  app.get('/readyz', {
    schema: {
      summary: 'Readiness: the store answers and Unit has not rejected the partner token',
      operationId: 'getReadiness',
      tags: ['operations'],
      response: {
        200: { ...ReadyAnswer, description: 'Ready', examples: [READY_EXAMPLE] },
        503: { ...ReadyAnswer, description: 'Not ready: a check failed', examples: [UNREADY_EXAMPLE] },
        ...problemResponses('internal_error')
      }
    },
    logLevel: 'warn'
  }, async (request, reply) => {
    const store = await storeAnswers(options.store, storeTimeoutMs) ? 'ok' : 'failing'
    const partnerToken = options.partnerTokenState()
    if (partnerToken === 'rejected') recheck()
    const ready = store === 'ok' && partnerToken !== 'rejected'
    if (!ready) request.log.warn({ store, partnerTokenState: partnerToken }, 'not ready')
    return reply.code(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'unready', checks: { store, partnerToken } })
  })
}

async function storeAnswers (store: TokenStore, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs)
  })
  const ping = store.ping().then(() => true, () => false)
  try {
    return await Promise.race([ping, timeout])
  } finally {
    clearTimeout(timer)
  }
}
