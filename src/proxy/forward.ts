import type { IncomingHttpHeaders } from 'node:http'
import { PassThrough, Writable } from 'node:stream'
import { BrokerError } from '../errors.js'
import type { Log } from '../log.js'
import type { TokenRequest, TokenService } from '../tokens/token-service.js'
import type { UnitRead, UnitReader } from './unit-reader.js'

/** Hands Unit's status, headers and streaming body to the caller. */
export type Deliver = (status: number, headers: IncomingHttpHeaders, body: PassThrough) => void

export interface ForwardDeps {
  tokens: Pick<TokenService, 'getToken' | 'invalidate'>
  reader: Pick<UnitReader, 'read'>
}

export interface Forwarded {
  /** Unit's status, as the caller got it. */
  status: number
  /** The token that read it, for the audit fingerprint only. */
  token: string
  /** Whether Unit refused the first token and a new one was minted. */
  retried: boolean
}

/**
 * One read through the broker. A 401 means Unit no longer takes the cached
 * token (revoked, or gone before its time): the broker drops it, mints once
 * and tries once more. Every other answer goes to the caller as it is.
 */
export async function forwardRead (deps: ForwardDeps, ask: TokenRequest,
  read: Omit<UnitRead, 'token'>, deliver: Deliver, log: Log): Promise<Forwarded> {
  const first = (await deps.tokens.getToken(ask, log)).token
  const status = await attempt(deps, { ...read, token: first }, deliver)
  if (status !== 401) return { status, token: first, retried: false }

  log.info({ event: 'unit_token_refused', orgId: ask.orgId, scopes: ask.scopes },
    'Unit refused a cached on-behalf token; minting a new one')
  await deps.tokens.invalidate({ ...ask, token: first }, log)
  const second = (await deps.tokens.getToken(ask, log)).token
  const retried = await attempt(deps, { ...read, token: second }, deliver)
  if (retried !== 401) return { status: retried, token: second, retried: true }

  // A token Unit refuses as soon as it is minted is not worth keeping either.
  await deps.tokens.invalidate({ ...ask, token: second }, log)
  throw new BrokerError('upstream_rejected', 'Unit refused a newly minted on-behalf token.',
    { logContext: { unitStatus: 401 } })
}

/**
 * One call to Unit. A 401 is kept from the caller (its body drains into
 * nothing) so that the read can be tried again; any other answer starts
 * streaming to the caller at once.
 */
async function attempt (deps: ForwardDeps, read: UnitRead, deliver: Deliver): Promise<number> {
  let status = 0
  await deps.reader.read(read, (answered, headers) => {
    status = answered
    if (answered === 401) return discard()
    const body = new PassThrough()
    deliver(answered, headers, body)
    return body
  })
  return status
}

function discard (): Writable {
  return new Writable({ write (_chunk, _encoding, done) { done() } })
}
