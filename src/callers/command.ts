import { parseArgs } from 'node:util'
import { DEFAULT_ALLOWED_SCOPES, KNOWN_READ_SCOPES } from '../tokens/scopes.js'
import { CallersFileError, type CallerEntry } from './file.js'
import { UsageError, changeCallers, readCallers } from './file-io.js'
import { generateCallerKey, hashCallerKey } from './keys.js'

const USAGE = `usage: npm run caller -- <command> [options]

  add NAME --orgs ORGS --scopes SCOPES [--max-min-ttl SECONDS]
           [--source-ips IPS] [--requests-per-minute N]
      Creates a caller with a new key, prints the key once on stdout and
      writes only its SHA-256 to the file. ORGS is '*' or org ids separated
      by commas; SCOPES, IPS likewise separated by commas.
  remove NAME   Drops a caller: its key stops working once the broker reloads.
  list          Shows each caller and its policy, never a key.

  --file PATH   The callers file (default: $BROKER_CALLERS_FILE, else ./callers.json)`

const OPTIONS = {
  file: { type: 'string' },
  orgs: { type: 'string' },
  scopes: { type: 'string' },
  'max-min-ttl': { type: 'string' },
  'source-ips': { type: 'string' },
  'requests-per-minute': { type: 'string' },
  help: { type: 'boolean', short: 'h' }
} as const

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS, allowPositionals: true }>>['values']

/** Where the command writes: the key alone on `out`, everything else on `err`. */
export interface Output {
  out: (text: string) => void
  err: (text: string) => void
}

/** Runs one caller command; gives its exit code (2 for a mistake, which changes nothing). */
export function runCallerCommand (argv: string[], env: NodeJS.ProcessEnv, io: Output): number {
  try {
    runCommand(argv, env, io)
    return 0
  } catch (err) {
    const known = err instanceof UsageError || err instanceof CallersFileError ||
      (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true
    if (!known) throw err
    const message = err instanceof CallersFileError
      ? `the callers file ${err.message}`
      : (err as Error).message
    io.err(`caller: ${message}\n`)
    return 2
  }
}

function runCommand (argv: string[], env: NodeJS.ProcessEnv, io: Output): void {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true })
  const [command, name, extra] = positionals
  if (values.help === true || command === undefined) {
    io.out(`${USAGE}\n`)
    return
  }
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`)

  const file = values.file ?? env.BROKER_CALLERS_FILE ?? 'callers.json'
  const allowed = env.ALLOWED_SCOPES?.split(/[\s,]+/).filter(Boolean) ?? DEFAULT_ALLOWED_SCOPES
  if (command === 'list') return printEntries(readCallers(file), io)
  if (name === undefined) throw new UsageError(`${command} needs the caller's name`)

  if (command === 'add') {
    const key = generateCallerKey()
    const entry = newEntry(name, hashCallerKey(key), values)
    changeCallers(file, (entries) => {
      if (entries.some((known) => known.name === name)) {
        throw new UsageError(`a caller named ${name} exists; remove it first to give it a new key`)
      }
      return [...entries, entry]
    }, allowed)
    io.err(`Added ${name} to ${file}. Its key follows, shown this once only:\n`)
    io.out(`${key}\n`)
  } else if (command === 'remove') {
    changeCallers(file, (entries) => {
      const kept = entries.filter((known) => known.name !== name)
      if (kept.length === entries.length) throw new UsageError(`there is no caller named ${name}`)
      return kept
    }, KNOWN_READ_SCOPES)
    io.err(`Removed ${name} from ${file}.\n`)
  } else {
    throw new UsageError(`unknown command '${command}'\n\n${USAGE}`)
  }
}

function newEntry (name: string, keySha256: string, values: Values): CallerEntry {
  if (values.orgs === undefined || values.scopes === undefined) {
    throw new UsageError('add needs --orgs and --scopes: a caller gets only what it is given')
  }
  const entry: CallerEntry = {
    name,
    keySha256,
    orgs: values.orgs.trim() === '*' ? '*' : someOf(items(values.orgs), '--orgs'),
    scopes: items(values.scopes)
  }
  const maxMinTtl = values['max-min-ttl']
  const perMinute = values['requests-per-minute']
  if (maxMinTtl !== undefined) entry.maxMinTtlSeconds = whole(maxMinTtl, '--max-min-ttl')
  if (values['source-ips'] !== undefined) entry.sourceIps = items(values['source-ips'])
  if (perMinute !== undefined) entry.requestsPerMinute = whole(perMinute, '--requests-per-minute')
  return entry
}

function someOf (list: string[], option: string): string[] {
  if (list.length === 0) throw new UsageError(`${option} names nothing; give ids or '*'`)
  return list
}

function items (text: string): string[] {
  return text.split(',').map((item) => item.trim()).filter(Boolean)
}

function whole (text: string, option: string): number {
  if (!/^\d{1,9}$/.test(text)) throw new UsageError(`${option} must be a whole number`)
  return Number(text)
}

function printEntries (entries: CallerEntry[], io: Output): void {
  for (const { name, orgs, scopes, keySha256: _key, ...limits } of entries) {
    const shown = orgs === '*' ? '*' : orgs.join(',')
    io.out(`${name}\torgs=${shown}\tscopes=${scopes.join(',')}` +
      `${Object.entries(limits).map(([k, v]) => `\t${k}=${String(v)}`).join('')}\n`)
  }
}
