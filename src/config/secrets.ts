import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs'
import { parseCallersFile, CallersFileError } from '../callers/file.js'
import type { Caller } from '../callers/policy.js'
import { KeyRingError, parseKeyRing, type KeyRing } from '../secrets/sealer.js'

export type ReadText = (path: string) => string

/** Secret files are small; a larger one (or a device that never ends) is refused, not read. */
export const MAX_SECRET_FILE_BYTES = 1024 * 1024

export const readText: ReadText = (path) => {
  // Non-blocking, so a FIFO put in a secret's place cannot stall the broker on open.
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    if (!fstatSync(fd).isFile()) throw new SecretError('names something that is not a file')
    const buffer = Buffer.alloc(MAX_SECRET_FILE_BYTES + 1)
    let size = 0
    let read: number
    while ((read = readSync(fd, buffer, size, buffer.length - size, null)) > 0) {
      size += read
      if (size > MAX_SECRET_FILE_BYTES) throw new SecretError('names a file over 1 MiB')
    }
    return buffer.toString('utf8', 0, size)
  } finally {
    closeSync(fd)
  }
}

/**
 * The secrets the broker can re-read while it runs, each from its text. A
 * parser throws a SecretError whose message describes the problem and never
 * quotes the secret.
 */
export class SecretError extends Error {}

export function readSecretText (read: ReadText, file: string): string {
  try {
    return read(file)
  } catch (err) {
    if (err instanceof SecretError) throw err
    const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable'
    throw new SecretError(`names a file that cannot be read (${reason})${shownPath(file)}`)
  }
}

/** The path, when it looks like one: a secret pasted into a _FILE variable is not echoed. */
function shownPath (file: string): string {
  return /^(\/|\.{1,2}\/)[\w./-]{0,255}$/.test(file) ? `: ${file}` : ''
}

export function parsePartnerToken (text: string): string {
  const token = text.trim()
  if (token === '') throw new SecretError('holds an empty partner token')
  if (token.length > 8192 || !/^[\x21-\x7e]+$/.test(token)) {
    throw new SecretError('holds a partner token with spaces, control or non-ASCII ' +
      'characters, or over 8192 characters')
  }
  return token
}

export function parseEncryptionKeys (text: string): KeyRing {
  try {
    return parseKeyRing(text)
  } catch (err) {
    if (err instanceof KeyRingError) throw new SecretError(err.message)
    throw err
  }
}

export function parseCallers (text: string, allowedScopes: readonly string[]): Caller[] {
  try {
    return parseCallersFile(text, allowedScopes)
  } catch (err) {
    if (err instanceof CallersFileError) throw new SecretError(err.problems.join('; '))
    throw err
  }
}
