import autocannon from 'autocannon'

export interface LoadResult {
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  /** Answers other than 2xx, and connection errors and timeouts. */
  failures: number
  requests: number
}

export interface LoadOptions {
  url: string
  seconds: number
  connections: number
  /** Request bodies; each request takes one at random. */
  bodies: readonly string[]
  authorization?: string
  /** Stop after this many requests instead of after `seconds`. */
  amount?: number
}

/**
 * POST /v1/tokens at a fixed concurrency for a fixed time, from this
 * process: never the process of the server under test, so the two do not
 * share an event loop.
 */
export async function load (options: LoadOptions): Promise<LoadResult> {
  const { bodies } = options
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (options.authorization !== undefined) headers.authorization = options.authorization
  let next = 0
  const pick = (): string => bodies.length === 1
    ? bodies[0] ?? ''
    : bodies[Math.floor(Math.random() * bodies.length)] ?? ''
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    ...(options.amount === undefined ? { duration: options.seconds } : { amount: options.amount }),
    requests: [{
      method: 'POST',
      path: '/v1/tokens',
      headers,
      // A fixed amount asks for each body in turn (to warm every entry); a timed run at random.
      setupRequest: (request) => ({
        ...request, body: options.amount === undefined ? pick() : bodies[next++ % bodies.length]
      })
    }]
  })
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
    requests: result.requests.total
  }
}

export function median (values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? sorted[middle] ?? 0
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
}
