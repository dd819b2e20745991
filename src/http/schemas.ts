import Type, { type Static } from 'typebox'
import { SCOPE_PATTERN } from '../tokens/scopes.js'

/** Unit org ids are base64-looking: letters, digits, `+`, `/`, `=` (and the URL-safe `-`, `_`). */
export const OrgId = Type.String({
  pattern: '^[A-Za-z0-9+/=_-]{1,128}$',
  description: 'An org shared with the partner, as Unit names it.',
  examples: ['h5D8B5gyHtk=']
})

export const Scopes = Type.Union([
  Type.String({ minLength: 1, maxLength: 1024, description: 'Scopes separated by spaces' }),
  Type.Array(Type.String({ pattern: SCOPE_PATTERN }), { minItems: 1, maxItems: 64 })
], {
  description: 'Read scopes, as a list or as one space-separated string.',
  examples: [['customers', 'cards'], 'customers cards']
})

export function tokenRequestBody (maxMinTtlSeconds: number) {
  return Type.Object({
    orgId: OrgId,
    scopes: Scopes,
    minTtlSeconds: Type.Optional(Type.Integer({
      minimum: 0,
      maximum: maxMinTtlSeconds,
      description: 'The least remaining life, in seconds, the token must have.'
    }))
  }, {
    additionalProperties: false,
    examples: [{ orgId: 'h5D8B5gyHtk=', scopes: ['customers', 'cards'], minTtlSeconds: 600 }]
  })
}

export const InvalidateBody = Type.Object({
  orgId: OrgId,
  scopes: Scopes,
  token: Type.Optional(Type.String({
    minLength: 1,
    maxLength: 16384,
    description: 'Drop the entry only while it still holds this token.'
  }))
}, {
  additionalProperties: false,
  examples: [{ orgId: 'h5D8B5gyHtk=', scopes: 'cards customers', token: 'v2.public.eyJ…' }]
})

export const TokenAnswer = Type.Object({
  token: Type.String({ description: 'The on-behalf token, a bearer credential for Unit.' }),
  orgId: Type.String(),
  scopes: Type.Array(Type.String(), { description: 'The canonical scope set: unique, sorted.' }),
  expiresAt: Type.String({ format: 'date-time' }),
  expiresIn: Type.Integer({ description: 'Whole seconds of life left.' })
}, {
  examples: [{
    token: 'v2.public.eyJ…',
    orgId: 'h5D8B5gyHtk=',
    scopes: ['cards', 'customers'],
    expiresAt: '2026-12-05T10:00:00.000Z',
    expiresIn: 86400
  }]
})

/** Headers of a token answer (RFC 9211 and RFC 9111). */
export const TokenAnswerHeaders = {
  'cache-status': {
    type: 'string',
    description: 'Whether the token came from the cache (`hit`) or was minted ' +
      '(`fwd=miss`, `fwd=stale`).',
    examples: ['unit-token-broker; hit']
  },
  'cache-control': {
    type: 'string',
    description: 'How long the caller may reuse the token without asking again.',
    examples: ['private, max-age=69120']
  }
}

export const OrgsAnswer = Type.Object({
  orgs: Type.Array(Type.Object({ orgId: Type.String(), orgName: Type.String() }))
}, {
  examples: [{
    orgs: [
      { orgId: 'ipF58vfdszo=', orgName: 'Shared Client 1' },
      { orgId: 'h5D8B5gyHtk=', orgName: 'Shared Client 2' }
    ]
  }]
})

export const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String(),
  code: Type.String(),
  errors: Type.Optional(Type.Array(Type.Object({
    pointer: Type.String(),
    detail: Type.String()
  })))
}, { description: 'RFC 9457 problem details' })

export const HealthAnswer = Type.Object({ status: Type.Literal('ok') },
  { examples: [{ status: 'ok' }] })

export const ReadyAnswer = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('unready')]),
  checks: Type.Object({
    store: Type.Union([Type.Literal('ok'), Type.Literal('failing')]),
    partnerToken: Type.Union([
      Type.Literal('accepted'), Type.Literal('unknown'), Type.Literal('rejected')
    ])
  })
})

export const READY_EXAMPLE = { status: 'ready', checks: { store: 'ok', partnerToken: 'accepted' } }
export const UNREADY_EXAMPLE = {
  status: 'unready', checks: { store: 'ok', partnerToken: 'rejected' }
}

export type ProblemBody = Static<typeof Problem>
