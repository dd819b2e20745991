import Type, { type Static } from 'typebox'
import { Compile } from 'typebox/compile'

/** Unit's answer to `GET /partners/orgs`; further fields are allowed and ignored. */
export const OrgsAnswer = Type.Object({
  data: Type.Array(Type.Object({
    type: Type.Literal('org'),
    attributes: Type.Object({
      orgId: Type.String({ minLength: 1, maxLength: 256 }),
      orgName: Type.String({ maxLength: 1024 })
    })
  }), { maxItems: 100000 })
})

/** Unit's answer to `POST /partners/token`. */
export const MintAnswer = Type.Object({
  data: Type.Object({
    type: Type.Literal('onBehalfToken'),
    attributes: Type.Object({
      token: Type.String({ minLength: 1, maxLength: 16384, pattern: '^[\\x21-\\x7e]+$' }),
      // More than asked is not counted on (the broker keeps its own lifetime), so not refused.
      expiresIn: Type.Integer({ minimum: 1, maximum: 2 ** 31 })
    })
  })
})

/** Unit's JSON:API error document, as far as the broker reads it. */
export const ErrorAnswer = Type.Object({
  errors: Type.Array(Type.Object({
    status: Type.Optional(Type.String()),
    title: Type.Optional(Type.String()),
    code: Type.Optional(Type.String())
  }))
})

export type UnitErrorDocument = Static<typeof ErrorAnswer>

export const checkOrgsAnswer = Compile(OrgsAnswer)
export const checkMintAnswer = Compile(MintAnswer)
export const checkErrorAnswer = Compile(ErrorAnswer)
