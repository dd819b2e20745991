import { randomUUID } from 'node:crypto'
import type { Cluster, Redis } from 'ioredis'
import type { Log } from '../log.js'

export type RedisClient = Redis | Cluster

/** What one replica tells the others about an entry. */
export type EntryEventKind = 'minted' | 'dropped' | 'failed' | 'released'

export interface EntryEvent {
  kind: EntryEventKind
  /** The entry's digest. */
  key: string
  /** For `failed`: the error code the waiters answer with. */
  code?: string
  /** For `dropped` after an invalidation: only the copy holding this token goes. */
  fingerprint?: string
}

type Listener = (event: EntryEvent) => void

/**
 * News of entries between the replicas sharing a Redis, over one pub/sub
 * channel: a new token written, an entry dropped, a mint that failed. A
 * replica ignores its own news. After the subscription was lost, listeners
 * hear `reset`: news may have been missed while it was down.
 */
export class RedisEvents {
  readonly #publisher: RedisClient
  readonly #subscriber: RedisClient
  readonly #channel: string
  readonly #origin = randomUUID()
  readonly #listeners = new Set<Listener>()
  readonly #resetListeners = new Set<() => void>()
  readonly #log: Log
  #lost = false

  constructor (publisher: RedisClient, subscriber: RedisClient, prefix: string, log: Log) {
    this.#publisher = publisher
    this.#subscriber = subscriber
    this.#channel = `${prefix}events`
    this.#log = log
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.#channel) this.#receive(message)
    })
    subscriber.on('close', () => { this.#lost = true })
    subscriber.on('ready', () => {
      if (!this.#lost) return
      this.#lost = false
      for (const listener of this.#resetListeners) listener()
    })
  }

  async start (): Promise<void> {
    await this.#subscriber.subscribe(this.#channel)
  }

  onEvent (listener: Listener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  onReset (listener: () => void): void {
    this.#resetListeners.add(listener)
  }

  /** Best effort: a replica that misses the news reads Redis on its next need. */
  async publish (event: EntryEvent): Promise<void> {
    const message = [this.#origin, event.kind, event.key, event.code ?? '',
      event.fingerprint ?? ''].join(' ')
    try {
      await this.#publisher.publish(this.#channel, message)
    } catch (err) {
      this.#log.warn({ event: 'redis_publish_failed', err }, 'could not tell the other replicas')
    }
  }

  async close (): Promise<void> {
    this.#listeners.clear()
    await this.#subscriber.quit().catch(() => this.#subscriber.disconnect())
  }

  #receive (message: string): void {
    const [origin, kind, key, code, fingerprint] = message.split(' ')
    if (origin === this.#origin || key === undefined || key === '') return
    if (kind !== 'minted' && kind !== 'dropped' && kind !== 'failed' && kind !== 'released') {
      return
    }
    const event: EntryEvent = {
      kind,
      key,
      ...(code === undefined || code === '' ? {} : { code }),
      ...(fingerprint === undefined || fingerprint === '' ? {} : { fingerprint })
    }
    for (const listener of this.#listeners) listener(event)
  }
}
