import type { Clock, Timer } from '../../src/clock.js'

/**
 * A clock the test moves by hand. A wait on it (a retry's backoff) moves it
 * on by the time asked, at once: the wait takes no real time, and the clock
 * shows it passed.
 */
export class FakeClock implements Clock, Timer {
  /** Every wait asked of this clock, in ms, in order. */
  readonly sleeps: number[] = []
  #now: number

  constructor (start = Date.parse('2026-12-04T09:00:00.000Z')) {
    this.#now = start
  }

  now (): number {
    return this.#now
  }

  advance (ms: number): void {
    this.#now += ms
  }

  advanceSeconds (seconds: number): void {
    this.advance(seconds * 1000)
  }

  async sleep (ms: number): Promise<void> {
    this.sleeps.push(ms)
    this.advance(ms)
    // Resolved on a later turn of the event loop, as a real timer would be.
    await new Promise((resolve) => setImmediate(resolve))
  }
}
