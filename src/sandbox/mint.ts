import { isIP } from 'node:net'
import { UnitError, invalidBody, isObject, readJsonBody, type ErrorItem } from './json-api.js'

/** A valid on-behalf token request, before Unit decides the lifetime it grants. */
export interface MintRequest {
  orgId: string
  scopes: string[]
  sourceIp?: string
  expiresIn?: number
}

export const MAX_LIFETIME = 86_400

// Unit's read scopes, minus those an on-behalf token cannot carry: partner
// tokens get no webhooks, and cards-sensitive and customer-token belong to
// customer tokens.
const READ_SCOPES = new Set([
  'applications', 'customers', 'accounts', 'cards', 'transactions', 'payments',
  'counterparties', 'events', 'authorization-requests', 'authorizations', 'statements',
  'batch-releases', 'check-deposits', 'check-payments', 'received-payments', 'chargebacks',
  'rewards', 'repayments', 'wire-drawdowns'
])
const NOT_ON_BEHALF = new Set(['webhooks', 'cards-sensitive', 'customer-token'])

type Check = (value: unknown) => string | undefined

const ATTRIBUTE_CHECKS: Record<keyof MintRequest, Check> = {
  orgId: value => typeof value === 'string' && value !== ''
    ? undefined
    : 'orgId is required: the id of an org shared with the partner',
  scopes: scopesProblem,
  sourceIp: value => value === undefined ? undefined : sourceIpProblem(value),
  expiresIn: value => value === undefined || isLifetime(value)
    ? undefined
    : `expiresIn must be an integer number of seconds from 1 to ${MAX_LIFETIME}`
}

/** Validates a `createOnBehalfToken` document, reporting every bad attribute at once. */
export function parseMintRequest (body: unknown): MintRequest {
  const document = readJsonBody(body)
  const data = isObject(document) ? document.data : undefined
  if (!isObject(data)) throw new UnitError(400, [invalidBody('/data', 'data must be an object')])

  const problems: ErrorItem[] = []
  if (data.type !== 'createOnBehalfToken') {
    problems.push(invalidBody('/data/type', 'type must be createOnBehalfToken'))
  }
  const attributes = isObject(data.attributes) ? data.attributes : undefined
  if (attributes === undefined) {
    problems.push(invalidBody('/data/attributes', 'attributes must be an object'))
  } else {
    problems.push(...attributeProblems(attributes))
  }
  if (problems.length > 0 || attributes === undefined) throw new UnitError(400, problems)

  return {
    orgId: String(attributes.orgId),
    scopes: [...new Set(String(attributes.scopes).split(' '))],
    ...(attributes.sourceIp === undefined ? {} : { sourceIp: String(attributes.sourceIp) }),
    ...(attributes.expiresIn === undefined ? {} : { expiresIn: Number(attributes.expiresIn) })
  }
}

/** The org a mint request names, if it names one; read before the request is validated. */
export function mintOrgOf (body: unknown): string | undefined {
  let document: unknown
  try {
    document = readJsonBody(body)
  } catch {
    return undefined
  }
  const data = isObject(document) ? document.data : undefined
  const attributes = isObject(data) && isObject(data.attributes) ? data.attributes : undefined
  return typeof attributes?.orgId === 'string' ? attributes.orgId : undefined
}

function attributeProblems (attributes: Record<string, unknown>): ErrorItem[] {
  const known = Object.entries(ATTRIBUTE_CHECKS).flatMap(([name, check]) => {
    const detail = check(attributes[name])
    return detail === undefined ? [] : [invalidBody(`/data/attributes/${name}`, detail)]
  })
  // An unknown attribute is most likely a misspelt or misplaced one (say
  // `expiration`, from org tokens): refusing it shows the mistake at once.
  const unknown = Object.keys(attributes)
    .filter(name => !(name in ATTRIBUTE_CHECKS))
    .map(name => invalidBody(
      `/data/attributes/${name}`, `${name} is not an attribute of createOnBehalfToken`))
  return [...known, ...unknown]
}

function scopesProblem (value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') {
    return 'scopes is required: scope names separated by single spaces'
  }
  for (const scope of value.split(' ')) {
    if (scope === '') return 'scopes must be separated by single spaces'
    if (scope.includes('-write')) return `${scope} is a write scope; partner tokens are read only`
    if (NOT_ON_BEHALF.has(scope)) return `${scope} is not available to on-behalf tokens`
    if (!READ_SCOPES.has(scope)) return `${scope} is not a known scope`
  }
  return undefined
}

function sourceIpProblem (value: unknown): string | undefined {
  const list = typeof value === 'string' ? value.split(',') : []
  if (list.length === 0 || list.some(address => isIP(address) === 0)) {
    return 'sourceIp must be IP addresses separated by commas, without spaces'
  }
  return undefined
}

function isLifetime (value: unknown): boolean {
  return Number.isInteger(value) && Number(value) >= 1 && Number(value) <= MAX_LIFETIME
}
