import { createHash } from 'node:crypto'

/** Every input of a mint: two requests share a token only when all of them match. */
export interface MintInputs {
  /** Unit's base URL: sandbox and live tokens never share an entry. */
  upstream: string
  orgId: string
  /** Canonical: unique and sorted. */
  scopes: readonly string[]
  sourceIps: readonly string[]
  lifetimeSeconds: number
}

/**
 * The cache key of a mint: a SHA-256 digest of the inputs' JSON encoding.
 * JSON keeps every field apart (no separator can be forged inside an org id),
 * so different inputs give different keys.
 */
export function cacheKey (inputs: MintInputs): string {
  const encoded = JSON.stringify([
    inputs.upstream,
    inputs.orgId,
    inputs.scopes,
    [...inputs.sourceIps].sort(),
    inputs.lifetimeSeconds
  ])
  return createHash('sha256').update(encoded).digest('base64url')
}

/** A short digest of a token, to recognise it without keeping it. */
export function tokenFingerprint (token: string): string {
  return createHash('sha256').update(token).digest('base64url').slice(0, 22)
}
