/** Exponential backoff: windows of base × 2ⁿ, never longer than the cap. */
export class Backoff {
  readonly #baseMs: number
  readonly #capMs: number
  readonly #random: () => number

  constructor (baseMs: number, capMs: number, random: () => number = Math.random) {
    this.#baseMs = baseMs
    this.#capMs = capMs
    this.#random = random
  }

  /** The window after `n` earlier tries (n from 0). */
  windowMs (n: number): number {
    return Math.min(this.#capMs, this.#baseMs * 2 ** n)
  }

  /**
   * Full jitter: anywhere in the window. Replicas and requests that failed
   * together spread their retries instead of arriving at Unit together.
   */
  jitteredMs (n: number): number {
    return Math.floor(this.#random() * this.windowMs(n))
  }
}
