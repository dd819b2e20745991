import type { Clock } from '../clock.js'

/** While a probe call is out, how soon the others are told to come back. */
export const PROBE_PENDING_MS = 1000

/** The longest a breaker stays open, whatever Retry-After Unit sent. */
export const MAX_OPEN_MS = 300_000

export interface BreakerOptions {
  clock: Clock
  /** Consecutive failed calls that open the breaker. */
  threshold: number
  /** How long it stays open before one probe call may go. */
  cooldownMs: number
  /**
   * How many different sources the failures must come from. Above 1, one
   * source failing again and again cannot open the breaker on its own, nor
   * can it with a little help: no source may account for more than half of
   * the failures.
   */
  distinctSources?: number
}

/** Handed to a call the breaker let through, to report how it ended. */
export interface BreakerPass {
  readonly probe: boolean
}

export type BreakerState = 'closed' | 'open' | 'half-open'

/**
 * Stops calls to Unit after consecutive failures, then lets exactly one
 * probe call through after a cool-down: its success closes the breaker, its
 * failure opens it again. The methods return what changed, for the log.
 */
export class CircuitBreaker {
  readonly #options: BreakerOptions
  /** Consecutive failures since the last success, by where they happened. */
  readonly #failures = new Map<string, number>()
  /** Undefined while closed. */
  #openUntil: number | undefined
  #probing = false

  constructor (options: BreakerOptions) {
    this.#options = options
  }

  get state (): BreakerState {
    if (this.#openUntil === undefined) return 'closed'
    return this.#openUntil > this.#options.clock.now() ? 'open' : 'half-open'
  }

  /** How long before a call may go; 0 when one may go now. */
  blockedMs (): number {
    if (this.#openUntil === undefined) return 0
    const left = this.#openUntil - this.#options.clock.now()
    if (left > 0) return left
    return this.#probing ? PROBE_PENDING_MS : 0
  }

  /** Lets a call go once blockedMs() is 0; when half-open, that call is the probe. */
  pass (): BreakerPass {
    const probe = this.#openUntil !== undefined
    if (probe) this.#probing = true
    return { probe }
  }

  /** Unit answered. True when this closed the breaker. */
  succeeded (pass: BreakerPass): boolean {
    // A call let through before the breaker opened shows little about Unit now.
    if (this.#openUntil !== undefined && !pass.probe) return false
    const wasOpen = this.#openUntil !== undefined
    this.#close()
    return wasOpen
  }

  /**
   * The call failed, at `source`. When this opens the breaker, the answer is
   * for how long: the cool-down, or longer when Unit said so (`atLeastMs`).
   */
  failed (pass: BreakerPass, source: string, atLeastMs = 0): number | undefined {
    const openForMs = Math.max(this.#options.cooldownMs, atLeastMs)
    if (pass.probe) return this.#open(openForMs)
    if (this.#openUntil !== undefined) return undefined
    this.#failures.set(source, (this.#failures.get(source) ?? 0) + 1)
    let total = 0
    let most = 0
    for (const count of this.#failures.values()) {
      total += count
      most = Math.max(most, count)
    }
    const sources = this.#options.distinctSources ?? 1
    const spread = this.#failures.size >= sources && (sources === 1 || most * 2 <= total)
    return total >= this.#options.threshold && spread ? this.#open(openForMs) : undefined
  }

  /** Stops counting the failures seen at `source`: they were explained elsewhere. */
  forget (source: string): void {
    this.#failures.delete(source)
  }

  /**
   * Opens at once, for this long (Unit's Retry-After on a 429). Undefined
   * when it was already open for longer, which it stays.
   */
  trip (ms: number): number | undefined {
    const until = this.#options.clock.now() + Math.min(ms, MAX_OPEN_MS)
    if (this.#openUntil !== undefined && this.#openUntil > until) return undefined
    return this.#open(ms)
  }

  /** The call ended with no verdict on this breaker; a probe makes way for the next. */
  released (pass: BreakerPass): void {
    if (pass.probe) this.#probing = false
  }

  #open (ms: number): number {
    const openForMs = Math.min(ms, MAX_OPEN_MS)
    this.#openUntil = this.#options.clock.now() + openForMs
    this.#probing = false
    this.#failures.clear()
    return openForMs
  }

  #close (): void {
    this.#openUntil = undefined
    this.#probing = false
    this.#failures.clear()
  }
}
