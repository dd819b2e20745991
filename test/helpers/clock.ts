import type { Clock } from '../../src/clock.js'

/** A clock the test moves by hand. */
export class FakeClock implements Clock {
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
}
