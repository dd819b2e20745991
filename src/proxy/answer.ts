import type { IncomingHttpHeaders } from 'node:http'
import type { PassThrough } from 'node:stream'
import type { FastifyReply } from 'fastify'

/**
 * Unit's headers a caller may see. Everything else stays behind: hop-by-hop
 * headers belong to the broker's own connection to Unit, and a header the
 * broker does not know has no promise to keep.
 */
export const ANSWER_HEADERS = [
  'content-type', 'content-length', 'retry-after', 'etag', 'last-modified'
] as const

/** Starts the caller's answer with Unit's status and headers; the body follows as it streams. */
export function sendUnitAnswer (reply: FastifyReply, status: number,
  headers: IncomingHttpHeaders, body: PassThrough): void {
  reply.code(status)
  for (const name of ANSWER_HEADERS) {
    const value = headers[name]
    if (typeof value === 'string') reply.header(name, value)
  }
  reply.send(body)
}
