import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** Caller keys carry a prefix so a leaked one is easy to recognise and search for. */
export const CALLER_KEY_PREFIX = 'utb_'

/** 32 random bytes: a key that cannot be guessed, so a fast hash is enough to store it. */
export function generateCallerKey (): string {
  return CALLER_KEY_PREFIX + randomBytes(32).toString('base64url')
}

/** The SHA-256 of a key, in hex: what the callers file holds instead of the key. */
export function hashCallerKey (key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex')
}

/** Compares two key hashes in time that does not depend on where they differ. */
export function sameHash (a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}
