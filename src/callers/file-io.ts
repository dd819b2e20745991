import {
  chownSync, closeSync, existsSync, openSync, readFileSync, realpathSync, renameSync, rmSync,
  statSync, writeFileSync
} from 'node:fs'
import { dirname } from 'node:path'
import { KNOWN_READ_SCOPES } from '../tokens/scopes.js'
import { parseCallersFile, type CallerEntry } from './file.js'

/** A mistake the person at the terminal can fix; printed without a stack. */
export class UsageError extends Error {}

const LOCK_WAIT_MS = 5000
/** A lock older than this was left by a command that died; it is taken over. */
const STALE_LOCK_MS = 30_000

/**
 * Changes the callers file under a lock file, so that two commands run at
 * once cannot lose each other's change. The change sees the file as it is
 * under the lock, and the new file replaces the old in one step, keeping
 * its mode and owner (the broker may run as another user).
 */
export function changeCallers (file: string, change: (entries: CallerEntry[]) => CallerEntry[],
  allowedScopes: readonly string[]): void {
  const target = resolve(file)
  const lock = `${target}.lock`
  takeLock(lock)
  try {
    const next = change(readCallers(target))
    writeCallers(target, next, allowedScopes)
  } finally {
    rmSync(lock, { force: true })
  }
}

/** The entries of the file; a missing file has none. Scopes are checked only when written. */
export function readCallers (file: string): CallerEntry[] {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    if ((err as NodeJS.ErrnoException).code === 'EISDIR') {
      throw new UsageError(`${file} is a folder, not a callers file`)
    }
    throw err
  }
  parseCallersFile(text, KNOWN_READ_SCOPES)
  return (JSON.parse(text) as { callers: CallerEntry[] }).callers
}

/** Through a symbolic link to the file it names, so the link stays a link. */
function resolve (file: string): string {
  if (!existsSync(dirname(file))) throw new UsageError(`the folder of ${file} does not exist`)
  return existsSync(file) ? realpathSync(file) : file
}

function writeCallers (file: string, entries: CallerEntry[], allowedScopes: readonly string[]):
void {
  const text = `${JSON.stringify({ callers: entries }, null, 2)}\n`
  parseCallersFile(text, allowedScopes)
  const before = existsSync(file) ? statSync(file) : undefined
  const temporary = `${file}.${process.pid}.tmp`
  writeFileSync(temporary, text, { mode: before === undefined ? 0o640 : before.mode & 0o777 })
  if (before !== undefined) {
    try {
      chownSync(temporary, before.uid, before.gid)
    } catch {
      // Only root may give a file away; a file the user owns keeps its owner anyway.
    }
  }
  renameSync(temporary, file)
}

function takeLock (lock: string): void {
  const deadline = Date.now() + LOCK_WAIT_MS
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'))
      return
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    if (Date.now() - lockAge(lock) > STALE_LOCK_MS) rmSync(lock, { force: true })
    if (Date.now() > deadline) {
      throw new UsageError(`another caller command holds ${lock}; try again, or remove it ` +
        'if no such command runs')
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50)
  }
}

function lockAge (lock: string): number {
  try {
    return statSync(lock).mtimeMs
  } catch {
    return Date.now()
  }
}
