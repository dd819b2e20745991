import type { Clock } from '../clock.js'
import { Backoff } from './backoff.js'
import { PROBE_PENDING_MS } from './circuit-breaker.js'

/** The first wait after Unit rejects the partner token, doubled at each rejection. */
export const FIRST_WINDOW_MS = 5000
export const LAST_WINDOW_MS = 300_000

/** Handed to a call the gate let through, to report how it ended. */
export interface GatePass {
  readonly probe: boolean
  /** Which partner token the call went out with. */
  readonly generation: number
}

/**
 * Holds calls back while Unit rejects the partner token: asking again with
 * the same token cannot succeed, and every refused call still spends the
 * partner's rate limit. One probe call goes per window, the windows doubling
 * from 5 s to 5 min, until a probe succeeds or a new partner token is read.
 */
export class PartnerTokenGate {
  readonly #clock: Clock
  readonly #windows = new Backoff(FIRST_WINDOW_MS, LAST_WINDOW_MS)
  #generation = 0
  /** Rejections in a row; 0 while the token is not known to be rejected. */
  #rejections = 0
  #nextProbeAt = 0
  #probing = false

  constructor (clock: Clock) {
    this.#clock = clock
  }

  get rejected (): boolean {
    return this.#rejections > 0
  }

  /** How long before a call may go; 0 when one may go now. */
  blockedMs (): number {
    if (this.#rejections === 0) return 0
    const left = this.#nextProbeAt - this.#clock.now()
    if (left > 0) return left
    return this.#probing ? PROBE_PENDING_MS : 0
  }

  /** Lets a call go once blockedMs() is 0; while rejected, that call is the probe. */
  pass (): GatePass {
    const probe = this.#rejections > 0
    if (probe) this.#probing = true
    return { probe, generation: this.#generation }
  }

  /**
   * Unit answered 401 to the token the call used. Answers the window that
   * begins now, or undefined when the token has changed since or the window
   * already runs.
   */
  refused (pass: GatePass): number | undefined {
    if (pass.generation !== this.#generation) return undefined
    if (this.#rejections > 0 && !pass.probe) return undefined
    const windowMs = this.#windows.windowMs(this.#rejections)
    this.#rejections++
    this.#begin(windowMs)
    return windowMs
  }

  /** Unit accepted the token. True when this lifted the gate. */
  accepted (pass: GatePass): boolean {
    if (pass.generation !== this.#generation || !pass.probe) return false
    this.#rejections = 0
    this.#probing = false
    return true
  }

  /** The probe ended without a word on the token (Unit failed): the next waits a window. */
  undecided (pass: GatePass): void {
    if (pass.generation !== this.#generation || !pass.probe) return
    this.#begin(this.#windows.windowMs(this.#rejections - 1))
  }

  /** A new partner token: nothing Unit said about the old one holds for it. */
  changed (): void {
    this.#generation++
    this.#rejections = 0
    this.#probing = false
  }

  #begin (windowMs: number): void {
    this.#nextProbeAt = this.#clock.now() + windowMs
    this.#probing = false
  }
}
