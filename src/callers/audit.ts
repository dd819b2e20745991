import { createHmac, hkdfSync, randomBytes } from 'node:crypto'
import type { KeyRing } from '../secrets/sealer.js'

/**
 * Keyed fingerprints of tokens for the audit log. With encryption keys the
 * fingerprint key derives from the sealing key, so every replica writes the
 * same fingerprint for one token; without, it is random to this process.
 */
export class TokenFingerprints {
  #key: Buffer

  constructor (ring: KeyRing | undefined) {
    this.#key = fingerprintKey(ring)
  }

  rekey (ring: KeyRing | undefined): void {
    this.#key = fingerprintKey(ring)
  }

  of (token: string): string {
    return createHmac('sha256', this.#key).update(token, 'utf8').digest('base64url').slice(0, 16)
  }
}

function fingerprintKey (ring: KeyRing | undefined): Buffer {
  if (ring === undefined) return randomBytes(32)
  return Buffer.from(hkdfSync('sha256', ring.sealing.key, Buffer.alloc(0),
    'unit-token-broker audit fingerprint', 32))
}
