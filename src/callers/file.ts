import { isIP } from 'node:net'
import Type, { type Static } from 'typebox'
import { Compile } from 'typebox/compile'
import type { Caller } from './policy.js'

/**
 * The callers file: JSON, one entry per calling service. It holds the SHA-256
 * of each key, never a key; `npm run caller` writes it.
 */
export const CallersFileSchema = Type.Object({
  callers: Type.Array(Type.Object({
    name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' }),
    keySha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    orgs: Type.Union([
      Type.Literal('*'),
      Type.Array(Type.String({ pattern: '^[A-Za-z0-9+/=_-]{1,128}$' }), { maxItems: 10000 })
    ]),
    scopes: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1 }),
    maxMinTtlSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86400 })),
    sourceIps: Type.Optional(Type.Array(Type.String(), { minItems: 1, maxItems: 64 })),
    requestsPerMinute: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 }))
  }, { additionalProperties: false }), { maxItems: 10000 })
}, { additionalProperties: false })

export type CallersFile = Static<typeof CallersFileSchema>
export type CallerEntry = CallersFile['callers'][number]

const checkCallersFile = Compile(CallersFileSchema)

/** A callers file that cannot be used; each problem is one line and quotes no secret. */
export class CallersFileError extends Error {
  readonly problems: string[]

  constructor (problems: string[]) {
    super(problems.join('; '))
    this.name = 'CallersFileError'
    this.problems = problems
  }
}

/** Parses the file's text; a scope outside `allowedScopes` is a mistake in the file. */
export function parseCallersFile (text: string, allowedScopes: readonly string[]): Caller[] {
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch {
    throw new CallersFileError(['is not valid JSON'])
  }
  if (!checkCallersFile.Check(document)) {
    throw new CallersFileError(checkCallersFile.Errors(document).slice(0, 5)
      .map((error) => `${error.instancePath || '/'} ${error.message}`))
  }
  const problems = document.callers.flatMap((entry, index) =>
    entryProblems(entry, allowedScopes).map((problem) => `callers[${index}] ${problem}`))
  problems.push(...duplicates(document.callers))
  if (problems.length > 0) throw new CallersFileError(problems)
  return document.callers.map(toCaller)
}

function entryProblems (entry: CallerEntry, allowedScopes: readonly string[]): string[] {
  const problems: string[] = []
  const notAllowed = entry.scopes.filter((scope) => !allowedScopes.includes(scope))
  if (notAllowed.length > 0) {
    problems.push(`(${entry.name}) names scopes ALLOWED_SCOPES does not allow: ` +
      notAllowed.join(', '))
  }
  const badIp = entry.sourceIps?.find((ip) => isIP(ip) === 0)
  if (badIp !== undefined) problems.push(`(${entry.name}) has a sourceIps entry that is not an IP`)
  return problems
}

function duplicates (entries: readonly CallerEntry[]): string[] {
  const problems: string[] = []
  const names = new Set<string>()
  const hashes = new Set<string>()
  for (const entry of entries) {
    if (names.has(entry.name)) problems.push(`names the caller ${entry.name} twice`)
    if (hashes.has(entry.keySha256)) problems.push(`gives ${entry.name} a key another caller has`)
    names.add(entry.name)
    hashes.add(entry.keySha256)
  }
  return problems
}

function toCaller (entry: CallerEntry): Caller {
  return {
    name: entry.name,
    keyHash: Buffer.from(entry.keySha256, 'hex'),
    policy: {
      orgs: entry.orgs === '*' ? '*' : new Set(entry.orgs),
      scopes: new Set(entry.scopes),
      maxMinTtlSeconds: entry.maxMinTtlSeconds,
      sourceIps: entry.sourceIps === undefined ? undefined : [...new Set(entry.sourceIps)],
      requestsPerMinute: entry.requestsPerMinute
    }
  }
}
