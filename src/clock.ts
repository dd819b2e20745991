/** Where the broker reads the time, in milliseconds since the epoch. */
export interface Clock {
  now (): number
}

export const systemClock: Clock = { now: () => Date.now() }
