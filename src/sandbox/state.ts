import { Compile } from 'typebox/compile'
import { MAX_LIFETIME, type MintRequest } from './mint.js'
import { TokenBook } from './tokens.js'
import {
  FAULT_TARGETS, FaultSchema, type CallRecord, type Fault, type FaultTarget, type MintRecord
} from './types.js'

export const checkFault = Compile(FaultSchema)

interface ArmedFault {
  fault: Fault
  /** Requests left to fault; undefined for until cleared. */
  remaining?: number
}

export interface StateOptions {
  partnerTokens: string[]
  now: () => number
  enforceSourceIp: boolean
  latencyMs: number
}

/** What the sandbox remembers between requests, shared by its routes and its handle. */
export class SandboxState {
  readonly calls: CallRecord[] = []
  readonly mints: MintRecord[] = []
  readonly counts: Record<FaultTarget, number> = { orgs: 0, mint: 0, reads: 0 }
  readonly tokens: TokenBook
  readonly now: () => number
  readonly enforceSourceIp: boolean
  readonly latencyMs: number
  /** Aborted on close, to cut short the delays of latency faults. */
  readonly closing = new AbortController()
  readonly #faults = new Map<FaultTarget, ArmedFault>()
  readonly #orgFaults = new Map<string, ArmedFault>()
  #lifetimeCap: number | null = null
  #release = gate()

  constructor (options: StateOptions) {
    this.tokens = new TokenBook(options.partnerTokens, options.now)
    this.now = options.now
    this.enforceSourceIp = options.enforceSourceIp
    this.latencyMs = options.latencyMs
  }

  setFault (target: FaultTarget, fault: Fault | null, times?: number): void {
    if (!FAULT_TARGETS.includes(target)) throw new TypeError(`unknown fault target ${target}`)
    arm(this.#faults, target, fault, times)
  }

  /** The fault for this request of the group, used up if it was armed for a number of times. */
  takeFault (target: FaultTarget): Fault | undefined {
    return take(this.#faults, target)
  }

  /** Arms a fault for the mints of one org only; the other orgs' mints answer normally. */
  setOrgFault (orgId: string, fault: Fault | null, times?: number): void {
    if (typeof orgId !== 'string' || orgId === '') throw new TypeError('orgId must be a string')
    arm(this.#orgFaults, orgId, fault, times)
  }

  takeOrgFault (orgId: string): Fault | undefined {
    return take(this.#orgFaults, orgId)
  }

  /** Settles when the answers held back now may send the rest of their bodies. */
  get released (): Promise<void> {
    return this.#release.promise
  }

  releaseHeld (): void {
    this.#release.open()
    this.#release = gate()
  }

  grantLifetime (seconds: number | null): void {
    if (seconds !== null && !(Number.isInteger(seconds) && seconds > 0)) {
      throw new RangeError('the lifetime cap must be a positive integer of seconds, or null')
    }
    this.#lifetimeCap = seconds
  }

  mint (request: MintRequest): MintRecord {
    const asked = request.expiresIn ?? MAX_LIFETIME
    const expiresIn = Math.min(asked, this.#lifetimeCap ?? asked)
    const issued = this.tokens.issue({ ...request, expiresIn })
    const record = { ...request, expiresIn, ...issued }
    this.mints.push(record)
    return record
  }

  reset (): void {
    // Emptied in place: a test may hold the arrays the handle gave it.
    this.calls.length = 0
    this.mints.length = 0
    for (const target of FAULT_TARGETS) this.counts[target] = 0
    this.#faults.clear()
    this.#orgFaults.clear()
    this.#lifetimeCap = null
  }
}

function arm<Key> (faults: Map<Key, ArmedFault>, key: Key, fault: Fault | null,
  times: number | undefined): void {
  if (fault === null) {
    faults.delete(key)
    return
  }
  if (!checkFault.Check(fault)) throw new TypeError(`not a fault: ${JSON.stringify(fault)}`)
  if (times !== undefined && !(Number.isInteger(times) && times > 0)) {
    throw new RangeError('times must be a positive integer')
  }
  faults.set(key, times === undefined ? { fault } : { fault, remaining: times })
}

function take<Key> (faults: Map<Key, ArmedFault>, key: Key): Fault | undefined {
  const armed = faults.get(key)
  if (armed?.remaining !== undefined && --armed.remaining === 0) faults.delete(key)
  return armed?.fault
}

/** A promise and the function that settles it (Node 20 has no Promise.withResolvers). */
function gate (): { promise: Promise<void>, open: () => void } {
  let open = (): void => {}
  const promise = new Promise<void>(resolve => { open = resolve })
  return { promise, open }
}
