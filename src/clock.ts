import { setTimeout as delay } from 'node:timers/promises'

/** Where the broker reads the time, in milliseconds since the epoch. */
export interface Clock {
  now (): number
}

export const systemClock: Clock = { now: () => Date.now() }

/** How the broker waits, so that a test can pass a wait on its own clock. */
export interface Timer {
  sleep (ms: number): Promise<void>
}

export const systemTimer: Timer = {
  // Unreferenced: a wait before a retry never holds a stopping process open.
  sleep: async (ms) => { await delay(ms, undefined, { ref: false }) }
}
