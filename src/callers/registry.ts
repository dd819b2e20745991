import { hashCallerKey, sameHash } from './keys.js'
import type { Caller } from './policy.js'

/**
 * The callers the broker knows, replaced whole when the callers file changes.
 * A key is found by comparing its hash with every caller's in constant time,
 * so neither the answer nor its timing tells how close a guess came.
 */
export class CallerRegistry {
  #callers: readonly Caller[]

  constructor (callers: readonly Caller[]) {
    this.#callers = callers
  }

  get size (): number {
    return this.#callers.length
  }

  replace (callers: readonly Caller[]): void {
    this.#callers = callers
  }

  authenticate (key: string): Caller | undefined {
    const hash = Buffer.from(hashCallerKey(key), 'hex')
    let found: Caller | undefined
    for (const caller of this.#callers) {
      if (sameHash(caller.keyHash, hash)) found = caller
    }
    return found
  }
}
