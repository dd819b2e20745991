import type { IncomingHttpHeaders } from 'node:http'
import { Type, type Static } from 'typebox'

export const DEFAULT_PARTNER_TOKEN = 'sandbox-partner-token'

export interface SandboxOptions {
  /** Accepted partner tokens; default `['sandbox-partner-token']`. */
  partnerTokens?: string[]
  /** Default 127.0.0.1: the sandbox has no authentication of its own. */
  host?: string
  /** Default 0, any free port. */
  port?: number
  /** Clock in ms for token expiry and call times; default `Date.now`. */
  now?: () => number
  /** Refuse on-behalf tokens used from an address outside their `sourceIp`; default true. */
  enforceSourceIp?: boolean
  /** Delay in ms before every Unit endpoint answers, on top of any latency fault; default 0. */
  latencyMs?: number
  /** Log requests with pino; default false. */
  logger?: boolean
}

export interface MintRecord {
  orgId: string
  scopes: string[]
  sourceIp?: string
  /** The lifetime granted, in seconds, which may be less than asked. */
  expiresIn: number
  token: string
  issuedAt: number
  expiresAt: number
}

export interface CallRecord {
  method: string
  /** The URL path as sent, with its query string. */
  path: string
  /** 0 while unanswered, and for ever for a request left hanging. */
  status: number
  at: number
  /** The request's headers as they arrived, to show what a client sent Unit. */
  headers: IncomingHttpHeaders
  /** The org a mint asked for, once its body was read (not when a group fault answered). */
  orgId?: string
}

export const FAULT_TARGETS = ['orgs', 'mint', 'reads'] as const

/** `orgs` is GET /partners/orgs, `mint` POST /partners/token, `reads` the read endpoints. */
export type FaultTarget = typeof FAULT_TARGETS[number]

export const FaultSchema = Type.Union([
  // Answer with this status instead; the body defaults to a JSON:API error.
  Type.Object({
    kind: Type.Literal('status'),
    status: Type.Integer({ minimum: 200, maximum: 599 }),
    body: Type.Optional(Type.Unknown()),
    headers: Type.Optional(Type.Record(Type.String(), Type.String()))
  }, { additionalProperties: false }),
  // Never answer; close() releases the request by closing its connection.
  Type.Object({ kind: Type.Literal('hang') }, { additionalProperties: false }),
  // A success status whose body lacks the token or the data.
  Type.Object({ kind: Type.Literal('malformed') }, { additionalProperties: false }),
  // Answer normally, after a delay.
  Type.Object({
    kind: Type.Literal('latency'),
    ms: Type.Integer({ minimum: 0, maximum: 600_000 })
  }, { additionalProperties: false }),
  // Answer normally, but send only the first bytes of the body until releaseHeld().
  Type.Object({
    kind: Type.Literal('hold'),
    afterBytes: Type.Integer({ minimum: 0 })
  }, { additionalProperties: false })
])

export type Fault = Static<typeof FaultSchema>

export interface Sandbox {
  /** Base URL, such as http://127.0.0.1:40123. */
  url: string
  /** Every request to a Unit endpoint, in order of arrival; control requests are left out. */
  calls: CallRecord[]
  /** Every on-behalf token minted. */
  mints: MintRecord[]
  /** Requests received for an endpoint group, faulted ones included. */
  count (target: FaultTarget): number
  /** `times`: the next N requests of the group only; default until cleared with null. */
  setFault (target: FaultTarget, fault: Fault | null, times?: number): void
  /** Faults only the mints for this org, after the partner token check; `times` as above. */
  setOrgFault (orgId: string, fault: Fault | null, times?: number): void
  /** Caps the lifetime Unit grants, in seconds; null lifts the cap. */
  grantLifetime (seconds: number | null): void
  setPartnerTokens (tokens: string[]): void
  /** Makes any further use of the token, on-behalf or partner, a 401. */
  revokeToken (token: string): void
  /** Sends the rest of every answer a `hold` fault is holding back. */
  releaseHeld (): void
  /** Clears calls, counts, mints, faults and the lifetime cap; tokens stay valid. */
  reset (): void
  /** Stops listening and drops open connections, hanging requests included. */
  close (): Promise<void>
}
