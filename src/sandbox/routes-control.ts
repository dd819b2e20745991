/**
 * Control endpoints of the sandbox, for driving a standalone process the way
 * a test drives the handle `startSandbox` returns. They live under /sandbox,
 * a prefix Unit does not use, need no token, and are not recorded in calls.
 * Bodies are JSON; errors are JSON:API documents like Unit's.
 *
 *   GET    /sandbox/calls            -> 200 {"counts": {"orgs": n, "mint": n, "reads": n},
 *                                            "calls": [{method, path, status, at, headers}]}
 *   GET    /sandbox/mints            -> 200 {"mints": [{orgId, scopes, sourceIp?, expiresIn,
 *                                            token, issuedAt, expiresAt}]}
 *   PUT    /sandbox/faults/{target}  {"fault": fault, "times"?: n}   -> 204
 *   DELETE /sandbox/faults/{target}                                  -> 204
 *   PUT    /sandbox/org-faults       {"orgId": "...", "fault": fault | null, "times"?: n}
 *                                                                    -> 204
 *   PUT    /sandbox/lifetime         {"seconds": n | null}           -> 204
 *   PUT    /sandbox/partner-tokens   {"tokens": ["..."]}             -> 204
 *   POST   /sandbox/revoke           {"token": "..."}                -> 204
 *   POST   /sandbox/release                                          -> 204
 *   POST   /sandbox/reset                                            -> 204
 *
 * {target} is `orgs` (GET /partners/orgs), `mint` (POST /partners/token) or
 * `reads` (the read endpoints). A fault is one of
 *   {"kind": "status", "status": 429, "headers"?: {"Retry-After": "2"}, "body"?: any}
 *   {"kind": "hang"}        never answer, until the sandbox closes
 *   {"kind": "malformed"}   a success status, the token or data missing
 *   {"kind": "latency", "ms": 1500}
 *   {"kind": "hold", "afterBytes": 1024}   send that much body, the rest after /sandbox/release
 * and applies to the next `times` requests of the group, or until deleted.
 * An org fault applies only to the mints for that org (a null fault clears it).
 * /sandbox/reset clears calls, counts, mints, faults and the lifetime cap.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { Compile } from 'typebox/compile'
import { UnitError, invalidBody, invalidParameter, readJsonBody } from './json-api.js'
import type { SandboxState } from './state.js'
import { FAULT_TARGETS, FaultSchema, type FaultTarget } from './types.js'

export const CONTROL_PREFIX = '/sandbox'

const FaultBody = Compile(Type.Object({
  fault: FaultSchema,
  times: Type.Optional(Type.Integer({ minimum: 1 }))
}, { additionalProperties: false }))

const OrgFaultBody = Compile(Type.Object({
  orgId: Type.String({ minLength: 1 }),
  fault: Type.Union([FaultSchema, Type.Null()]),
  times: Type.Optional(Type.Integer({ minimum: 1 }))
}, { additionalProperties: false }))

const LifetimeBody = Compile(Type.Object({
  seconds: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])
}, { additionalProperties: false }))

const PartnerTokensBody = Compile(Type.Object({
  tokens: Type.Array(Type.String({ minLength: 1 }))
}, { additionalProperties: false }))

const RevokeBody = Compile(Type.Object({
  token: Type.String({ minLength: 1 })
}, { additionalProperties: false }))

type WithTarget = FastifyRequest<{ Params: { target: string } }>

export function controlRoutes (state: SandboxState) {
  return async function registerControlRoutes (app: FastifyInstance): Promise<void> {
    app.get('/calls', async () => ({ counts: state.counts, calls: state.calls }))
    app.get('/mints', async () => ({ mints: state.mints }))

    app.put('/faults/:target', async (request: WithTarget, reply) => {
      const { fault, times } = bodyOf(FaultBody, request.body)
      state.setFault(faultTarget(request), fault, times)
      return reply.code(204).send()
    })
    app.delete('/faults/:target', async (request: WithTarget, reply) => {
      state.setFault(faultTarget(request), null)
      return reply.code(204).send()
    })

    app.put('/org-faults', async (request, reply) => {
      const { orgId, fault, times } = bodyOf(OrgFaultBody, request.body)
      state.setOrgFault(orgId, fault, times)
      return reply.code(204).send()
    })

    app.put('/lifetime', async (request, reply) => {
      state.grantLifetime(bodyOf(LifetimeBody, request.body).seconds)
      return reply.code(204).send()
    })
    app.put('/partner-tokens', async (request, reply) => {
      state.tokens.setPartnerTokens(bodyOf(PartnerTokensBody, request.body).tokens)
      return reply.code(204).send()
    })
    app.post('/revoke', async (request, reply) => {
      state.tokens.revoke(bodyOf(RevokeBody, request.body).token)
      return reply.code(204).send()
    })
    app.post('/release', async (_request, reply) => {
      state.releaseHeld()
      return reply.code(204).send()
    })
    app.post('/reset', async (_request, reply) => {
      state.reset()
      return reply.code(204).send()
    })
  }
}

function faultTarget (request: WithTarget): FaultTarget {
  const target = FAULT_TARGETS.find(name => name === request.params.target)
  if (target === undefined) {
    throw invalidParameter('target', `target must be one of ${FAULT_TARGETS.join(', ')}`)
  }
  return target
}

/** The part of a compiled TypeBox validator the control routes use. */
interface BodyCheck<Body> {
  Check (value: unknown): value is Body
  Errors (value: unknown): Array<{ instancePath: string, message: string }>
}

function bodyOf<Body> (validator: BodyCheck<Body>, body: unknown): Body {
  const value = readJsonBody(body)
  if (validator.Check(value)) return value
  const problems = validator.Errors(value).slice(0, 5)
    .map(problem => invalidBody(problem.instancePath, problem.message))
  throw new UnitError(400, problems)
}
