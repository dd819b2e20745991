import { randomBytes } from 'node:crypto'
import { BlockList, isIP } from 'node:net'
import { forbidden, unauthorized } from './json-api.js'

export interface OnBehalfGrant {
  orgId: string
  scopes: string[]
  sourceIp?: string
  /** Seconds. */
  expiresIn: number
}

export interface IssuedToken {
  token: string
  issuedAt: number
  expiresAt: number
}

interface OnBehalfToken {
  orgId: string
  scopes: ReadonlySet<string>
  /** BlockList used as an allow list: it matches ::ffff:127.0.0.1 to 127.0.0.1. */
  sourceIps?: BlockList
  expiresAt: number
}

/** The partner tokens the sandbox accepts and the on-behalf tokens it has issued. */
export class TokenBook {
  readonly #now: () => number
  #partnerTokens: Set<string>
  readonly #issued = new Map<string, OnBehalfToken>()

  constructor (partnerTokens: string[], now: () => number) {
    this.#partnerTokens = new Set(partnerTokens)
    this.#now = now
  }

  setPartnerTokens (tokens: string[]): void {
    this.#partnerTokens = new Set(tokens)
  }

  issue (grant: OnBehalfGrant): IssuedToken {
    // Shaped like Unit's PASETO tokens; the payload is random, not signed claims.
    const token = `v2.public.${randomBytes(48).toString('base64url')}`
    const issuedAt = this.#now()
    const expiresAt = issuedAt + grant.expiresIn * 1000
    const sourceIps = grant.sourceIp === undefined ? undefined : allowList(grant.sourceIp)
    const scopes = new Set(grant.scopes)
    this.#issued.set(token, { orgId: grant.orgId, scopes, sourceIps, expiresAt })
    return { token, issuedAt, expiresAt }
  }

  revoke (token: string): void {
    this.#issued.delete(token)
    this.#partnerTokens.delete(token)
  }

  /** Throws the 401 or 403 Unit gives unless the header carries a partner token. */
  checkPartner (authorization: string | undefined): void {
    const token = bearerToken(authorization)
    if (this.#partnerTokens.has(token)) return
    if (this.#live(token) !== undefined) {
      throw forbidden('An on-behalf token cannot call partner endpoints; use the partner token')
    }
    throw unauthorized('The partner token is missing, invalid or expired')
  }

  /** The org whose data the header's on-behalf token may read, with this scope, from there. */
  orgFor (authorization: string | undefined, scope: string, address?: string): string {
    const token = bearerToken(authorization)
    if (this.#partnerTokens.has(token)) {
      throw forbidden('A partner token cannot read org data; use an on-behalf token')
    }
    const grant = this.#live(token)
    if (grant === undefined) throw unauthorized('The token is invalid, revoked or expired')
    const { sourceIps } = grant
    if (address !== undefined && sourceIps !== undefined && !allows(sourceIps, address)) {
      throw forbidden(`The token may not be used from ${address}`)
    }
    if (!grant.scopes.has(scope)) throw forbidden(`The token lacks the ${scope} scope`)
    return grant.orgId
  }

  #live (token: string): OnBehalfToken | undefined {
    const grant = this.#issued.get(token)
    return grant !== undefined && this.#now() < grant.expiresAt ? grant : undefined
  }
}

function bearerToken (authorization: string | undefined): string {
  const token = /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1]
  if (token === undefined) throw unauthorized('Send the token as Authorization: Bearer <token>')
  return token
}

function allowList (sourceIp: string): BlockList {
  const list = new BlockList()
  for (const address of sourceIp.split(',')) {
    list.addAddress(address, isIP(address) === 6 ? 'ipv6' : 'ipv4')
  }
  return list
}

function allows (list: BlockList, address: string): boolean {
  return list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4')
}
