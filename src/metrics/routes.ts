import type { FastifyInstance } from 'fastify'
import type { BrokerMetrics } from './metrics.js'

export const METRICS_PATH = '/metrics'

/** Requests that matched no route share one label value, so a scan cannot add series. */
const UNMATCHED = 'unmatched'

const METRICS_EXAMPLE = [
  '# HELP unit_token_broker_cache_lookups_total Token requests by what the cache held.',
  '# TYPE unit_token_broker_cache_lookups_total counter',
  'unit_token_broker_cache_lookups_total{outcome="hit",tier="redis"} 2',
  'unit_token_broker_cache_lookups_total{outcome="miss",tier="redis"} 1',
  ''
].join('\n')

/**
 * Counts every answer by route template and serves the metrics in
 * Prometheus' text format. It must be registered on the root, so that its
 * hook sees every route. /metrics needs no caller key.
 */
export function registerMetrics (app: FastifyInstance, metrics: BrokerMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? UNMATCHED
    metrics.httpRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000)
  })

  app.get(METRICS_PATH, {
    schema: {
      summary: 'Metrics in Prometheus\' text format',
      operationId: 'getMetrics',
      tags: ['operations'],
      response: {
        200: {
          description: 'The broker\'s metrics and the process\'s',
          content: { 'text/plain': { schema: { type: 'string' }, example: METRICS_EXAMPLE } }
        }
      }
    },
    logLevel: 'warn'
  }, async (_request, reply) => {
    const text = await metrics.registry.metrics()
    return reply.type(metrics.registry.contentType).send(text)
  })
}
