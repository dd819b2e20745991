import type { Clock } from '../clock.js'
import { BrokerError, isBrokerError } from '../errors.js'
import type { Log } from '../log.js'
import type { MintCoordinator, StoredToken, TokenStore } from '../stores/store.js'
import type { MintedToken, MintRequest } from '../unit/client.js'
import { cacheKey, tokenFingerprint, type MintInputs } from './cache-key.js'
import { mintAcrossFleet } from './fleet-mint.js'
import type { MintReason, TokenEvents } from './events.js'

/** How soon a background renewal that failed is tried again, per entry. */
const RENEWAL_RETRY_MS = 5000

/**
 * Renewals start up to this share of the refresh age early, by an amount
 * that differs from token to token, so entries minted together (after a cold
 * start, say) do not all come due in the same minute.
 */
const RENEWAL_JITTER = 0.1

/** Shares out the calls to Unit that background renewals may make. */
export interface RenewalBudget {
  /** Whether one more renewal fits in the budget now; a refusal is retried later. */
  take (): Promise<boolean>
}

export interface TokenSettings {
  /** Unit's base URL, part of every cache key. */
  upstream: string
  lifetimeSeconds: number
  /** Fraction of a token's life after which it is renewed. */
  refreshAfter: number
  /** A token is never handed out with less life than this. */
  marginSeconds: number
  sourceIps: readonly string[]
}

export interface Minter {
  mintOnBehalfToken (request: MintRequest): Promise<MintedToken>
}

export interface OrgCheck {
  isShared (orgId: string): Promise<boolean>
}

export interface TokenRequest {
  orgId: string
  /** Canonical scope set. */
  scopes: string[]
  /** The least remaining life the caller needs. */
  minTtlSeconds?: number | undefined
  /** The addresses the token is bound to; undefined: the broker's own setting. */
  sourceIps?: readonly string[] | undefined
}

/** How a token was found: in the cache, or minted because none (`miss`) or a too old one (`stale`) was. */
export type CacheOutcome = 'hit' | 'miss' | 'stale'

export interface TokenGrant {
  token: string
  orgId: string
  scopes: string[]
  expiresAt: number
  /** Whole seconds of life left now. */
  expiresInSeconds: number
  /** Whole seconds the caller may reuse the token without asking again. */
  reuseForSeconds: number
  cache: CacheOutcome
}

export interface TokenServiceDeps {
  store: TokenStore
  minter: Minter
  orgs: OrgCheck
  clock: Clock
  log: Log
  settings: TokenSettings
  /** Told of lookups, mints and renewals, for metrics. */
  events?: TokenEvents
  /** With a shared store: one mint per entry across the fleet. */
  coordinator?: MintCoordinator | undefined
  /** The most a request waits on another replica's mint. */
  lockWaitMs?: number
  /** Paces background renewals across the fleet; none: unpaced. */
  renewals?: RenewalBudget | undefined
}

/**
 * Mints, caches and renews on-behalf tokens. A token is served while it has
 * the life a request needs; past its refresh point it is still served while a
 * renewal runs in the background; concurrent needs for one entry share one
 * call to Unit.
 */
export class TokenService {
  readonly #deps: TokenServiceDeps
  readonly #mints = new Map<string, Promise<StoredToken>>()
  readonly #renewalRetryAt = new Map<string, number>()

  constructor (deps: TokenServiceDeps) {
    this.#deps = deps
  }

  async getToken (request: TokenRequest, log: Log = this.#deps.log): Promise<TokenGrant> {
    const inputs = this.#inputs(request)
    const key = cacheKey(inputs)
    const needMs = this.#needMs(request)
    const cached = await this.#read(key, log)

    if (cached !== undefined && expiresAt(cached) - this.#deps.clock.now() >= needMs) {
      this.#lookedUp(request.orgId, 'hit', cached.tier)
      this.#renewIfDue(key, inputs, cached)
      return this.#grant(inputs, cached, 'hit', needMs)
    }

    const reason = cached === undefined ? 'miss' : 'stale'
    this.#lookedUp(request.orgId, reason, cached?.tier)
    if (cached !== undefined) this.#refuseUselessMint(cached, needMs)
    const fresh = await this.#mintOnce(key, inputs, reason, cached, log)
    if (expiresAt(fresh) - this.#deps.clock.now() < needMs) throw tooShort(fresh)
    return this.#grant(inputs, fresh, reason, needMs)
  }

  /**
   * Before its refresh point, an entry whose own grant was shorter than the
   * request needs shows what Unit grants now: minting again would cost a call
   * and give the same. The caller may ask again once the entry is due.
   */
  #refuseUselessMint (cached: StoredToken, needMs: number): void {
    const now = this.#deps.clock.now()
    if (cached.lifetimeSeconds * 1000 < needMs && now < this.#refreshAt(cached)) {
      throw tooShort(cached)
    }
  }

  /** Drops a cached entry; with a token, only while that token is still the cached one. */
  async invalidate (request: TokenRequest & { token?: string }, log: Log = this.#deps.log):
  Promise<boolean> {
    const inputs = this.#inputs(request)
    const fingerprint = request.token === undefined ? undefined : tokenFingerprint(request.token)
    let dropped: boolean
    try {
      dropped = await this.#deps.store.delete(cacheKey(inputs), fingerprint)
    } catch (err) {
      log.warn({ event: 'store_failed', err }, 'could not drop a cached token')
      throw new BrokerError('store_unavailable', 'The token store did not answer.')
    }
    log.info({
      event: dropped ? 'token_evicted' : 'token_eviction_skipped',
      orgId: inputs.orgId,
      scopes: inputs.scopes,
      reason: 'invalidated'
    }, dropped ? 'dropped a cached token' : 'no matching cached token to drop')
    return dropped
  }

  /** The time a request must leave on a token, in ms. */
  #needMs (request: TokenRequest): number {
    return Math.max(request.minTtlSeconds ?? 0, this.#deps.settings.marginSeconds) * 1000
  }

  #inputs (request: TokenRequest): MintInputs {
    const { lifetimeSeconds, upstream } = this.#deps.settings
    const sourceIps = request.sourceIps ?? this.#deps.settings.sourceIps
    return { upstream, orgId: request.orgId, scopes: request.scopes, sourceIps, lifetimeSeconds }
  }

  #lookedUp (orgId: string, outcome: CacheOutcome, tier = this.#deps.store.kind): void {
    this.#deps.events?.lookup?.({ orgId, outcome, tier })
  }

  #grant (inputs: MintInputs, entry: StoredToken, cache: CacheOutcome, needMs: number):
  TokenGrant {
    const now = this.#deps.clock.now()
    const expires = expiresAt(entry)
    const reuseUntil = Math.min(this.#refreshAt(entry), expires - needMs)
    const remainingSeconds = Math.floor((expires - now) / 1000)
    this.#deps.events?.served?.({ orgId: inputs.orgId, remainingSeconds })
    return {
      token: entry.token,
      orgId: inputs.orgId,
      scopes: [...inputs.scopes],
      expiresAt: expires,
      expiresInSeconds: remainingSeconds,
      reuseForSeconds: Math.max(0, Math.floor((reuseUntil - now) / 1000)),
      cache
    }
  }

  #refreshAt (entry: StoredToken): number {
    return entry.issuedAt + entry.lifetimeSeconds * 1000 * this.#deps.settings.refreshAfter
  }

  async #read (key: string, log: Log): Promise<StoredToken | undefined> {
    try {
      const entry = await this.#deps.store.get(key)
      if (entry === undefined || this.#believable(entry)) return entry
      log.warn({ event: 'token_unreadable' }, 'a cached entry claims an impossible life; ignoring it')
      return undefined
    } catch (err) {
      log.warn({ event: 'store_failed', err }, 'token store read failed; treating it as a miss')
      return undefined
    }
  }

  /** An entry cannot have been issued in the future nor live longer than the broker asks. */
  #believable (entry: StoredToken): boolean {
    return entry.issuedAt <= this.#deps.clock.now() + 60_000 &&
      entry.lifetimeSeconds <= this.#deps.settings.lifetimeSeconds
  }

  /** Past the refresh point, starts one background renewal unless one ran and failed just now. */
  #renewIfDue (key: string, inputs: MintInputs, entry: StoredToken): void {
    const now = this.#deps.clock.now()
    if (now < this.#renewalDueAt(entry) || this.#mints.has(key)) return
    if ((this.#renewalRetryAt.get(key) ?? 0) > now) return

    // Marked at once, so the requests that follow do not each ask the budget.
    this.#renewalRetryAt.set(key, now + RENEWAL_RETRY_MS)
    const budget = this.#deps.renewals
    const allowed = budget === undefined ? Promise.resolve(true) : budget.take()
    allowed.then((yes) => {
      if (yes) this.#renew(key, inputs, entry)
      else this.#deps.log.info({ event: 'renewal_deferred' }, 'renewal budget spent; later')
    }, () => this.#renew(key, inputs, entry))
  }

  /** The refresh point, brought forward by this token's own share of the jitter. */
  #renewalDueAt (entry: StoredToken): number {
    const digest = Buffer.from(entry.fingerprint, 'base64url')
    const share = digest.length >= 2 ? digest.readUInt16BE(0) / 65536 : 0
    const age = this.#refreshAt(entry) - entry.issuedAt
    return this.#refreshAt(entry) - age * RENEWAL_JITTER * share
  }

  #renew (key: string, inputs: MintInputs, entry: StoredToken): void {
    // A renewal that gave nothing better than the entry waits before the next try.
    const retryLater = (): void => {
      this.#renewalRetryAt.set(key, this.#deps.clock.now() + RENEWAL_RETRY_MS)
    }
    this.#mintOnce(key, inputs, 'renewal', entry, this.#deps.log).then(
      (renewed) => {
        if (renewed === entry) return retryLater()
        this.#renewalRetryAt.delete(key)
        const leadSeconds = (expiresAt(entry) - this.#deps.clock.now()) / 1000
        this.#deps.events?.renewed?.({ leadSeconds })
      },
      retryLater
    )
  }

  /**
   * One call to Unit per entry at a time: later needs join the call under
   * way. The org check is part of that call, so a refresh of the org list
   * cannot let a second mint start beside the first.
   */
  #mintOnce (key: string, inputs: MintInputs, reason: MintReason,
    current: StoredToken | undefined, log: Log): Promise<StoredToken> {
    let mint = this.#mints.get(key)
    if (mint === undefined) {
      mint = this.#checkOrg(inputs.orgId)
        .then(async () => await this.#mintShared(key, inputs, reason, current, log))
        .finally(() => this.#mints.delete(key))
      this.#mints.set(key, mint)
    }
    return mint
  }

  async #mintShared (key: string, inputs: MintInputs, reason: MintReason,
    current: StoredToken | undefined, log: Log): Promise<StoredToken> {
    const coordinator = this.#deps.coordinator
    const mint = async (generation: number | undefined): Promise<StoredToken> =>
      await this.#mint(key, inputs, reason, current, log, generation)
    if (coordinator === undefined) return await mint(undefined)
    return await mintAcrossFleet({
      coordinator,
      key,
      waitMs: this.#deps.lockWaitMs ?? 6000,
      extendEveryMs: Math.max(100, Math.floor((this.#deps.lockWaitMs ?? 6000) / 4)),
      fresh: async () => await this.#newerThan(key, current, log),
      mint,
      log,
      waited: (event) => this.#deps.events?.lockWaited?.(event)
    })
  }

  /** A token another replica stored since `current` was read, with more than the margin left. */
  async #newerThan (key: string, current: StoredToken | undefined, log: Log):
  Promise<StoredToken | undefined> {
    const entry = await this.#read(key, log)
    if (entry === undefined || (current !== undefined && entry.issuedAt <= current.issuedAt)) {
      return undefined
    }
    const left = expiresAt(entry) - this.#deps.clock.now()
    return left > this.#deps.settings.marginSeconds * 1000 ? entry : undefined
  }

  async #checkOrg (orgId: string): Promise<void> {
    if (!(await this.#deps.orgs.isShared(orgId))) {
      throw new BrokerError('org_not_shared', 'The org is not shared with the partner.')
    }
  }

  /** Mints and caches a token, unless the one in the cache outlives it. */
  async #mint (key: string, inputs: MintInputs, reason: MintReason,
    current: StoredToken | undefined, log: Log, generation: number | undefined):
    Promise<StoredToken> {
    const { clock, minter, settings } = this.#deps
    const issuedAt = clock.now()
    const context = { orgId: inputs.orgId, scopes: inputs.scopes, reason }
    let minted: MintedToken
    try {
      minted = await minter.mintOnBehalfToken({
        orgId: inputs.orgId,
        scopes: inputs.scopes,
        sourceIps: inputs.sourceIps,
        expiresInSeconds: settings.lifetimeSeconds
      })
    } catch (err) {
      logMintFailure(log, context, err, clock.now() - issuedAt)
      const outcome = isBrokerError(err) ? err.code : 'error'
      this.#deps.events?.mint?.({ orgId: inputs.orgId, reason, outcome })
      throw err
    }

    const entry: StoredToken = {
      token: minted.token,
      fingerprint: tokenFingerprint(minted.token),
      issuedAt,
      // Unit may grant less than asked; a longer grant is not counted on.
      lifetimeSeconds: Math.min(minted.expiresInSeconds, settings.lifetimeSeconds)
    }
    if (current !== undefined && expiresAt(current) >= expiresAt(entry)) {
      log.warn({ event: 'token_kept', ...context, lifetimeSeconds: entry.lifetimeSeconds },
        'Unit granted a token that expires before the cached one; keeping the cached one')
      return current
    }
    await this.#write(key, entry, log, generation)
    this.#deps.events?.mint?.({ orgId: inputs.orgId, reason, outcome: 'ok' })
    log.info({
      event: 'token_minted',
      ...context,
      lifetimeSeconds: entry.lifetimeSeconds,
      durationMs: clock.now() - issuedAt
    }, 'minted an on-behalf token')
    return entry
  }

  /** The entry leaves the store by itself once it is down to the margin. */
  async #write (key: string, entry: StoredToken, log: Log, generation: number | undefined):
  Promise<void> {
    const ttlMs = expiresAt(entry) - this.#deps.settings.marginSeconds * 1000 -
      this.#deps.clock.now()
    if (ttlMs <= 0) return
    try {
      const kept = await this.#deps.store.set(key, entry, ttlMs, generation)
      if (!kept) {
        log.warn({ event: 'token_write_fenced', generation },
          'a newer mint of this entry began elsewhere; its token will replace this one')
      }
    } catch (err) {
      log.warn({ event: 'store_failed', err }, 'could not cache a minted token')
    }
  }
}

function tooShort (entry: StoredToken): BrokerError {
  return new BrokerError('upstream_rejected',
    `Unit grants tokens of ${entry.lifetimeSeconds} s, less than the request needs.`,
    { logContext: { lifetimeSeconds: entry.lifetimeSeconds } })
}

function expiresAt (entry: StoredToken): number {
  return entry.issuedAt + entry.lifetimeSeconds * 1000
}

function logMintFailure (log: Log, context: Record<string, unknown>, err: unknown,
  durationMs: number): void {
  const detail = isBrokerError(err) ? { code: err.code, ...err.logContext } : { err }
  log.warn({ event: 'mint_failed', ...context, ...detail, durationMs }, 'mint failed')
}
