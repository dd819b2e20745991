import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateCallerKey, hashCallerKey } from '../../src/callers/keys.js'
import type { CallerEntry } from '../../src/callers/file.js'
import { DEFAULT_ALLOWED_SCOPES } from '../../src/tokens/scopes.js'
import { secretsDir } from './broker.js'

interface Teardown {
  teardown (fn: () => unknown): void
}

export type CallerSpec = Partial<Omit<CallerEntry, 'keySha256'>> & { name: string }

export interface CallersFixture {
  file: string
  /** Each caller's key, by name. */
  keys: Record<string, string>
  /** Writes the callers file again with these callers, keeping known keys. */
  write (specs: CallerSpec[]): void
}

/** A callers file as `npm run caller` writes it, with fresh keys. */
export function writeCallers (t: Teardown, specs: CallerSpec[]): CallersFixture {
  const file = join(secretsDir(t), 'callers.json')
  const keys: Record<string, string> = {}
  const write = (list: CallerSpec[]): void => {
    const callers = list.map((spec) => {
      keys[spec.name] ??= generateCallerKey()
      return {
        orgs: '*' as const,
        scopes: [...DEFAULT_ALLOWED_SCOPES],
        ...spec,
        keySha256: hashCallerKey(keys[spec.name] ?? '')
      }
    })
    writeFileSync(file, JSON.stringify({ callers }, null, 2))
  }
  write(specs)
  return { file, keys, write }
}

export function bearer (key: string | undefined): Record<string, string> {
  return { authorization: `Bearer ${key ?? ''}` }
}
