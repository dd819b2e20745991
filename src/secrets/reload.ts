import { watch, type FSWatcher } from 'node:fs'
import { basename, dirname } from 'node:path'
import type { ReadText } from '../config/secrets.js'
import { readSecretText, SecretError } from '../config/secrets.js'
import type { Log } from '../log.js'

/** A secret held in a file that may change while the broker runs. */
export interface SecretFile {
  /** The variable that names the file, for log lines. */
  variable: string
  file: string
  /**
   * Parses the new text and puts it in use; says whether it differed from
   * what was in use. Throws SecretError, and changes nothing, when it is bad.
   */
  apply (text: string): boolean
}

/** Waits this long after a change so a file written in several steps is read once, whole. */
const SETTLE_MS = 50

/**
 * Reads every file this often as well: a change the watch cannot see (a
 * symbolic link into another folder, a folder replaced whole) is still
 * caught within moments.
 */
const POLL_MS = 2000

/**
 * Re-reads secret files when they change, and on demand (SIGHUP). A bad new
 * version is logged and ignored: the broker keeps the secret it had, so a
 * botched rotation fails loudly without failing requests.
 */
export class SecretFiles {
  readonly #files: readonly SecretFile[]
  readonly #read: ReadText
  readonly #log: Log
  readonly #watchers: FSWatcher[] = []
  #timer: NodeJS.Timeout | undefined
  #poll: NodeJS.Timeout | undefined

  constructor (files: readonly SecretFile[], read: ReadText, log: Log) {
    this.#files = files
    this.#read = read
    this.#log = log
  }

  /** Re-reads every file now; gives how many changed. */
  reload (): number {
    let changed = 0
    for (const secret of this.#files) {
      if (this.#reloadOne(secret)) changed++
    }
    return changed
  }

  /**
   * Watches each file's folder rather than the file: a mounted secret is
   * replaced by swapping a link, which a watch on the old file never sees.
   */
  watch (): void {
    for (const folder of new Set(this.#files.map((secret) => dirname(secret.file)))) {
      const names = new Set(this.#files.map((secret) => basename(secret.file)))
      const watcher = watch(folder, { persistent: false }, (_event, name) => {
        if (name === null || names.has(name) || name.startsWith('..')) this.#soon()
      })
      watcher.on('error', (err) => {
        this.#log.warn({ event: 'secret_watch_failed', err }, 'stopped watching secret files')
      })
      this.#watchers.push(watcher)
    }
    if (this.#files.length > 0) {
      this.#poll = setInterval(() => this.reload(), POLL_MS)
      this.#poll.unref()
    }
  }

  close (): void {
    clearTimeout(this.#timer)
    clearInterval(this.#poll)
    for (const watcher of this.#watchers) watcher.close()
  }

  /** One reload shortly after the first change of a burst: a stream of writes cannot hold it off. */
  #soon (): void {
    if (this.#timer !== undefined) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.reload()
    }, SETTLE_MS)
  }

  #reloadOne (secret: SecretFile): boolean {
    const context = { variable: secret.variable }
    try {
      const changed = secret.apply(readSecretText(this.#read, secret.file))
      if (changed) this.#log.info({ event: 'secret_reloaded', ...context }, 'put a new secret in use')
      return changed
    } catch (err) {
      if (!(err instanceof SecretError)) throw err
      this.#log.error({ event: 'secret_reload_failed', ...context, problem: err.message },
        'a changed secret file is not usable; keeping the secret in use')
      return false
    }
  }
}
