import { createHash } from 'node:crypto'
import type { RedisClient } from './redis-events.js'

/**
 * A Lua script sent by its SHA-1 digest (EVALSHA), so a call carries a few
 * bytes instead of the script. A server that does not know it yet (started
 * since, or its script cache flushed) answers NOSCRIPT, and the script is
 * sent whole once (EVAL), which also teaches it to the server.
 */
export class RedisScript {
  readonly #source: string
  readonly #sha: string

  constructor (source: string) {
    this.#source = source
    this.#sha = createHash('sha1').update(source).digest('hex')
  }

  async run (redis: RedisClient, keys: readonly string[], args: ReadonlyArray<string | number>):
  Promise<unknown> {
    try {
      return await redis.evalsha(this.#sha, keys.length, ...keys, ...args)
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err
      return await redis.eval(this.#source, keys.length, ...keys, ...args)
    }
  }
}
