import type { Log } from '../log.js'
import type { RedisClient } from './redis-events.js'

/** The commands the broker sends on its command connection. */
const COMMANDS = new Set(['get', 'getrange', 'set', 'del', 'eval', 'evalsha', 'publish', 'ping'])

/** How often a Redis that stopped answering is asked again. */
const PROBE_EVERY_MS = 1000

/** The error a command gets at once while Redis is not answering. */
export class RedisNotAnswering extends Error {
  constructor () {
    super('Redis stopped answering; not waiting for it until it answers a probe again')
  }
}

/**
 * The command connection, failing fast while Redis does not answer. A
 * command that timed out (Redis frozen, cut off without the connection
 * closing, or overloaded) marks Redis as not answering: from then on
 * every command fails at once instead of waiting out its own timeout, so a
 * request costs one timeout, not one per command, and hits from memory
 * cost none. One PING a second finds out when Redis answers again.
 */
export function failFastWhenSilent<T extends RedisClient> (client: T, log: Log): T {
  let silent = false
  let probe: NodeJS.Timeout | undefined

  const answered = (): void => {
    silent = false
    clearInterval(probe)
    probe = undefined
    log.info({ event: 'redis_answering' }, 'Redis answers again')
  }
  const timedOut = (): void => {
    if (silent) return
    silent = true
    log.warn({ event: 'redis_silent' }, 'a Redis command timed out; failing fast until it answers')
    probe = setInterval(() => { client.ping().then(answered, () => {}) }, PROBE_EVERY_MS)
    probe.unref()
  }
  // A connection closed for good needs no probe.
  client.on('end', () => clearInterval(probe))

  const guarded = (command: (...given: unknown[]) => Promise<unknown>) =>
    async (...args: unknown[]): Promise<unknown> => {
      if (silent) throw new RedisNotAnswering()
      try {
        // unknown[]: the arguments go on to ioredis as the caller gave them.
        return await command.apply(client, args)
      } catch (err) {
        if (err instanceof Error && err.message === 'Command timed out') timedOut()
        throw err
      }
    }
  // Made once per command and method, not on every call.
  const made = new Map<PropertyKey, unknown>()
  return new Proxy(client, {
    get (target, property) {
      const value: unknown = Reflect.get(target, property)
      if (typeof value !== 'function') return value
      let wrapped = made.get(property)
      if (wrapped === undefined) {
        wrapped = typeof property === 'string' && COMMANDS.has(property)
          ? guarded(value as (...given: unknown[]) => Promise<unknown>)
          : value.bind(target)
        made.set(property, wrapped)
      }
      return wrapped
    }
  })
}
