import type { Clock, Timer } from '../clock.js'
import { isBrokerError } from '../errors.js'
import type { Log } from '../log.js'
import type { OrgSource } from '../tokens/orgs.js'
import type { Minter } from '../tokens/token-service.js'
import { Backoff } from './backoff.js'
import { CircuitBreaker, PROBE_PENDING_MS, type BreakerPass } from './circuit-breaker.js'
import type {
  CallOptions, MintedToken, MintRequest, Org, PartnerTokenState
} from './client.js'
import {
  heldByBreaker, heldByPartnerGate, mayRetry, outcomeOf, withRetryAfter, type Outcome
} from './failures.js'
import { PartnerTokenGate, type GatePass } from './partner-gate.js'

/** A retry goes only if this share of the request's time is still left for it after its wait. */
const MIN_ATTEMPT_SHARE = 0.2

/** The org list's calls count toward the Unit breaker under this name, which no org id has. */
const ORG_LIST = '(org list)'

export interface ResilienceSettings {
  /** Retries after the first call; 0 turns them off. */
  retryAttempts: number
  /** The first retry waits up to this long, each later one up to twice as long. */
  retryBaseMs: number
  /** All the time one request may wait on Unit, its retries and their waits included. */
  budgetMs: number
  /** Consecutive failed calls that open a breaker. */
  breakerThreshold: number
  breakerCooldownMs: number
}

/** The calls of the Unit client that this wraps. */
export interface UnitCalls {
  listOrgs (options?: CallOptions): Promise<Org[]>
  mintOnBehalfToken (request: MintRequest, options?: CallOptions): Promise<MintedToken>
  /** The client's word on the partner token; it hears of a new one first. */
  readonly partnerTokenState: PartnerTokenState
}

export interface ResilienceDeps {
  unit: UnitCalls
  clock: Clock
  timer: Timer
  log: Log
  settings: ResilienceSettings
  /** The source of the retries' jitter, from 0 to 1. */
  random?: () => number
}

interface Passes {
  gate: GatePass
  unit: BreakerPass
  org: { breaker: CircuitBreaker, pass: BreakerPass } | undefined
  /** Whether the call's failure says something about Unit as a whole. */
  countsForUnit: boolean
}

/**
 * Unit as the token logic sees it: the client's calls, retried when Unit
 * may answer next time and held back while it cannot. One breaker watches
 * each org and one Unit as a whole; that one opens only on failures from
 * more than one org (or the org list), so one broken org cannot starve the
 * others. Once an org's own breaker has opened, its calls no longer count
 * for Unit, and they never carry Unit's probe: a broken org cannot keep
 * Unit's breaker open. A rejected partner token holds every call back
 * (PartnerTokenGate).
 */
export class ResilientUnitClient implements Minter, OrgSource {
  readonly #deps: ResilienceDeps
  readonly #backoff: Backoff
  readonly #gate: PartnerTokenGate
  readonly #unitBreaker: CircuitBreaker
  readonly #orgBreakers = new Map<string, CircuitBreaker>()

  constructor (deps: ResilienceDeps) {
    const { clock, settings } = deps
    this.#deps = deps
    this.#backoff = new Backoff(settings.retryBaseMs, settings.budgetMs, deps.random)
    this.#gate = new PartnerTokenGate(clock)
    this.#unitBreaker = new CircuitBreaker({
      clock,
      threshold: settings.breakerThreshold,
      cooldownMs: settings.breakerCooldownMs,
      distinctSources: 2
    })
  }

  /** How many breakers hold calls back now: Unit's own (0 or 1) and the orgs'. */
  openBreakers (): { unit: number, org: number } {
    let org = 0
    for (const breaker of this.#orgBreakers.values()) if (breaker.blockedMs() > 0) org++
    return { unit: this.#unitBreaker.blockedMs() > 0 ? 1 : 0, org }
  }

  async listOrgs (): Promise<Org[]> {
    return await this.#run(undefined, async (timeoutMs) =>
      await this.#deps.unit.listOrgs({ timeoutMs }))
  }

  async mintOnBehalfToken (request: MintRequest): Promise<MintedToken> {
    return await this.#run(request.orgId, async (timeoutMs) =>
      await this.#deps.unit.mintOnBehalfToken(request, { timeoutMs }))
  }

  /** One request's calls: each attempt gets what is left of the request's time. */
  async #run<T> (orgId: string | undefined, call: (timeoutMs: number) => Promise<T>):
  Promise<T> {
    const { clock, timer } = this.#deps
    const deadline = clock.now() + this.#deps.settings.budgetMs
    for (let retry = 0; ; retry++) {
      const passes = this.#admit(orgId)
      try {
        const result = await call(deadline - clock.now())
        this.#settle(passes, orgId, { kind: 'answered', success: true })
        return result
      } catch (err) {
        const outcome = outcomeOf(err)
        this.#settle(passes, orgId, outcome)
        const waitMs = this.#retryWaitMs(outcome, retry, deadline, orgId)
        if (waitMs === undefined) {
          throw outcome.kind === 'answered' ? err : withRetryAfter(err, this.#blockedMs(orgId))
        }
        this.#logRetry(err, orgId, retry + 1, waitMs)
        await timer.sleep(waitMs)
      }
    }
  }

  /** Throws, without calling Unit, while the partner token or a breaker holds calls back. */
  #admit (orgId: string | undefined): Passes {
    // A new partner token resets the client's word on it, and deserves a call at once.
    if (this.#gate.rejected && this.#deps.unit.partnerTokenState !== 'rejected') {
      this.#gate.changed()
    }
    const gateMs = this.#gate.blockedMs()
    if (gateMs > 0) throw heldByPartnerGate(gateMs)
    const unitMs = this.#unitBreaker.blockedMs()
    if (unitMs > 0) throw heldByBreaker(unitMs, 'unit')
    const breaker = orgId === undefined ? undefined : this.#orgBreaker(orgId)
    const orgMs = breaker?.blockedMs() ?? 0
    if (orgMs > 0) throw heldByBreaker(orgMs, 'org', orgId)
    const countsForUnit = breaker === undefined || breaker.state === 'closed'
    // Unit's probe waits for a call from an org not known to be broken.
    if (!countsForUnit && this.#unitBreaker.state === 'half-open') {
      throw heldByBreaker(PROBE_PENDING_MS, 'unit')
    }
    const org = breaker === undefined ? undefined : { breaker, pass: breaker.pass() }
    return { gate: this.#gate.pass(), unit: this.#unitBreaker.pass(), org, countsForUnit }
  }

  #blockedMs (orgId: string | undefined): number {
    const orgMs = orgId === undefined ? 0 : this.#orgBreakers.get(orgId)?.blockedMs() ?? 0
    return Math.max(this.#gate.blockedMs(), this.#unitBreaker.blockedMs(), orgMs)
  }

  /** How long to wait before the next try, or undefined when there is none. */
  #retryWaitMs (outcome: Outcome, retry: number, deadline: number, orgId: string | undefined):
  number | undefined {
    if (!mayRetry(outcome) || retry >= this.#deps.settings.retryAttempts) return undefined
    const waitMs = Math.max(this.#backoff.jitteredMs(retry), outcome.retryAfterMs ?? 0,
      this.#blockedMs(orgId))
    const leftMs = deadline - this.#deps.clock.now() - waitMs
    return leftMs >= this.#deps.settings.budgetMs * MIN_ATTEMPT_SHARE ? waitMs : undefined
  }

  #settle ({ gate, unit, org, countsForUnit }: Passes, orgId: string | undefined,
    outcome: Outcome): void {
    this.#settleGate(gate, outcome)
    if (outcome.kind === 'failed') {
      const { retryAfterMs } = outcome
      const source = orgId ?? ORG_LIST
      if (countsForUnit) {
        this.#opened('unit', undefined, this.#unitBreaker.failed(unit, source, retryAfterMs))
      }
      const orgOpenedMs = org?.breaker.failed(org.pass, source, retryAfterMs)
      // The org's own breaker explains its failures: they no longer count against Unit.
      if (orgOpenedMs !== undefined) this.#unitBreaker.forget(source)
      this.#opened('org', orgId, orgOpenedMs)
    } else if (outcome.kind === 'limited') {
      // Unit's limit counts all of the partner's calls, whatever their org.
      const openForMs = outcome.retryAfterMs ?? this.#deps.settings.breakerCooldownMs
      this.#opened('unit', undefined, this.#unitBreaker.trip(openForMs))
      org?.breaker.released(org.pass)
    } else {
      if (this.#unitBreaker.succeeded(unit)) this.#closed('unit', undefined)
      if (org?.breaker.succeeded(org.pass) === true) this.#closed('org', orgId)
      // A closed breaker with no failures holds nothing worth keeping.
      if (orgId !== undefined && org?.breaker.state === 'closed') this.#orgBreakers.delete(orgId)
    }
  }

  #settleGate (pass: GatePass, outcome: Outcome): void {
    const { log } = this.#deps
    if (outcome.kind === 'rejected') {
      const windowMs = this.#gate.refused(pass)
      if (windowMs === undefined) return
      log.warn({ event: 'partner_token_held', windowMs },
        'Unit rejected the partner token; holding calls back until it changes or a probe passes')
    } else if (outcome.kind === 'answered' && outcome.success) {
      if (this.#gate.accepted(pass)) {
        log.info({ event: 'partner_token_accepted' }, 'Unit accepts the partner token again')
      }
    } else {
      this.#gate.undecided(pass)
    }
  }

  #orgBreaker (orgId: string): CircuitBreaker {
    let breaker = this.#orgBreakers.get(orgId)
    if (breaker === undefined) {
      const { clock, settings } = this.#deps
      breaker = new CircuitBreaker({
        clock, threshold: settings.breakerThreshold, cooldownMs: settings.breakerCooldownMs
      })
      this.#orgBreakers.set(orgId, breaker)
    }
    return breaker
  }

  #opened (breaker: 'unit' | 'org', orgId: string | undefined, openForMs: number | undefined):
  void {
    if (openForMs === undefined) return
    this.#deps.log.warn({ event: 'breaker_opened', breaker, orgId, openForMs },
      'Unit is failing; calls wait until a probe passes')
  }

  #closed (breaker: 'unit' | 'org', orgId: string | undefined): void {
    this.#deps.log.info({ event: 'breaker_closed', breaker, orgId }, 'Unit answers again')
  }

  #logRetry (err: unknown, orgId: string | undefined, retry: number, waitMs: number): void {
    const detail = isBrokerError(err) ? { code: err.code, ...err.logContext } : {}
    const call = orgId === undefined ? 'orgs' : 'mint'
    this.#deps.log.info({ event: 'unit_retry', call, orgId, retry, waitMs, ...detail },
      'retrying a call to Unit')
  }
}
