/**
 * A small seeded generator, so the seed data is the same on every start and
 * a test can name a customer id it saw yesterday. Not for secrets: tokens
 * come from node:crypto.
 */
export interface Random {
  /** A float in [0, 1). */
  next (): number
  /** An integer in [min, max], both included. */
  int (min: number, max: number): number
  pick<T> (items: readonly T[]): T
  chance (probability: number): boolean
  digits (count: number): string
}

export function seededRandom (seed: string): Random {
  let state = hashSeed(seed)

  // mulberry32: 32 bits of state, a good spread, a few lines long.
  function next (): number {
    state = (state + 0x6d2b79f5) | 0
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state)
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296
  }

  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1))

  return {
    next,
    int,
    pick: items => {
      const item = items[int(0, items.length - 1)]
      if (item === undefined) throw new RangeError('pick from an empty list')
      return item
    },
    chance: probability => next() < probability,
    digits: count => Array.from({ length: count }, () => String(int(0, 9))).join('')
  }
}

/** FNV-1a, to turn a readable seed such as an org id into 32 bits. */
function hashSeed (seed: string): number {
  let hash = 0x811c9dc5
  for (let index = 0; index < seed.length; index++) {
    hash = Math.imul(hash ^ seed.charCodeAt(index), 0x01000193)
  }
  return hash >>> 0
}
