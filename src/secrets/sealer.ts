import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

export interface EncryptionKey {
  /** Names the key in every value it seals, so that keys can be rotated. */
  id: string
  key: Buffer
}

/** The keys in use: the first seals, every one opens. */
export interface KeyRing {
  sealing: EncryptionKey
  all: ReadonlyMap<string, Buffer>
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/
const FORMAT = 'v1'

/** A key list that cannot be used; the problem never quotes a key. */
export class KeyRingError extends Error {}

/**
 * Parses `id:base64` entries separated by commas, spaces or new lines, each
 * a 32-byte AES-256 key. The first one seals new entries.
 */
export function parseKeyRing (text: string): KeyRing {
  const entries = text.split(/[\s,]+/).filter((entry) => entry !== '')
  if (entries.length === 0) throw new KeyRingError('holds no key')
  const all = new Map<string, Buffer>()
  for (const [index, entry] of entries.entries()) {
    const separator = entry.indexOf(':')
    const id = entry.slice(0, separator)
    const encoded = entry.slice(separator + 1)
    const key = /^[A-Za-z0-9+/]+={0,2}$/.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0)
    if (separator < 1 || !KEY_ID.test(id)) {
      throw new KeyRingError(`entry ${index + 1} must be <id>:<base64 key>, the id of ` +
        'letters, digits, - and _')
    }
    if (key.length !== 32) {
      throw new KeyRingError(`key ${id} must be 32 bytes in base64 (openssl rand -base64 32)`)
    }
    if (all.has(id)) throw new KeyRingError(`names key ${id} twice`)
    all.set(id, key)
  }
  const [id = '', key = Buffer.alloc(0)] = all.entries().next().value ?? []
  return { sealing: { id, key }, all }
}

/**
 * Seals a token with AES-256-GCM. The associated data binds the sealed value
 * to where it is stored, so a value copied under another key fails to open.
 */
export function seal (ring: KeyRing, plaintext: string, boundTo: string): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', ring.sealing.key, iv)
  cipher.setAAD(Buffer.from(boundTo, 'utf8'))
  const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()])
  return [FORMAT, ring.sealing.id, iv.toString('base64url'), sealed.toString('base64url')].join('.')
}

/** Opens a sealed value, or gives undefined when it is damaged, moved or under an unknown key. */
export function open (ring: KeyRing, value: string, boundTo: string): string | undefined {
  const [format, id, ivText, sealedText, extra] = value.split('.')
  const key = ring.all.get(id ?? '')
  if (format !== FORMAT || key === undefined || extra !== undefined) return undefined
  const iv = Buffer.from(ivText ?? '', 'base64url')
  const sealed = Buffer.from(sealedText ?? '', 'base64url')
  if (iv.length !== 12 || sealed.length <= 16) return undefined
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv)
    decipher.setAAD(Buffer.from(boundTo, 'utf8'))
    decipher.setAuthTag(sealed.subarray(sealed.length - 16))
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)),
      decipher.final()]).toString('utf8')
  } catch {
    return undefined
  }
}
