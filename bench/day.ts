import { randomBytes } from 'node:crypto'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { MemoryTokenStore } from '../src/stores/memory.js'
import { renewalBudget } from '../src/stores/renewal-budget.js'
import type { MintReason } from '../src/tokens/events.js'
import { TokenService } from '../src/tokens/token-service.js'
import { FakeClock } from '../test/helpers/clock.js'
import type { BenchOptions } from './options.js'

/** The broker's defaults, but a one-hour lifetime: a day then holds 24 lifetimes. */
export const DAY_SETTINGS = {
  lifetimeSeconds: 3600,
  refreshAfter: 0.8,
  marginSeconds: 30,
  renewalsPerMinute: 500,
  zipfExponent: 1.0,
  /** Every fifth key's callers ask for 10 minutes of life; the others take the margin. */
  longNeedSeconds: 600
}

const DAY_MS = 86_400_000
const MINUTE_MS = 60_000

export interface DayResult {
  keys: number
  keysRequested: number
  requests: number
  mints: number
  mintsByReason: Record<MintReason, number>
  /** Mints ÷ the token lifetimes the keys' demand spanned (see README). */
  mintsPerKeyPerLifetime: number
  /** The same for the hundred busiest keys. */
  hotMintsPerKeyPerLifetime: number
  /** The same for the busiest key, asked for all day. */
  hottestMintsPerLifetime: number
  /** Mints ÷ the renewal periods (lifetime × refresh point) the demand spanned. */
  mintsPerKeyPerRenewalPeriod: number
  hotMintsPerKeyPerRenewalPeriod: number
  peakCallsPerMinute: number
  peakCallsMinute: number
  peakRenewalsPerMinute: number
  /** Requests answered with a token below the life they needed. */
  servedBelowNeed: number
  failedRequests: number
  wallSeconds: number
}

/**
 * Part 3: a day of traffic in one process on a stepped clock. The token
 * service runs as the broker runs it without Redis, its renewals paced by
 * the same budget; the minter stands in for Unit and counts its calls.
 */
export async function simulateDay (options: BenchOptions): Promise<DayResult> {
  const started = performance.now()
  const settings = DAY_SETTINGS
  const clock = new FakeClock(Date.parse('2026-12-04T00:00:00.000Z'))
  const dayStart = clock.now()
  const callsPerMinute = new Map<number, number>()
  const renewalsPerMinute = new Map<number, number>()
  const mintsPerKey = new Map<string, number>()
  const mintsByReason: Record<MintReason, number> = { miss: 0, stale: 0, renewal: 0 }
  const unit = new SlowUnit(clock, options.unitLatencyMs)
  const tokens = new TokenService({
    store: new MemoryTokenStore(clock, Math.max(10_000, options.dayKeys)),
    minter: {
      mintOnBehalfToken: async () => {
        const minute = Math.floor((clock.now() - dayStart) / MINUTE_MS)
        callsPerMinute.set(minute, (callsPerMinute.get(minute) ?? 0) + 1)
        await unit.answer()
        const token = `v2.public.${randomBytes(48).toString('base64url')}`
        return { token, expiresInSeconds: settings.lifetimeSeconds }
      }
    },
    orgs: { isShared: async () => true },
    clock,
    log: { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} },
    settings: {
      upstream: 'http://127.0.0.1/',
      lifetimeSeconds: settings.lifetimeSeconds,
      refreshAfter: settings.refreshAfter,
      marginSeconds: settings.marginSeconds,
      sourceIps: []
    },
    events: {
      mint: ({ orgId, reason, outcome }) => {
        if (outcome !== 'ok') return
        mintsByReason[reason]++
        mintsPerKey.set(orgId, (mintsPerKey.get(orgId) ?? 0) + 1)
        if (reason !== 'renewal') return
        const minute = Math.floor((clock.now() - dayStart) / MINUTE_MS)
        renewalsPerMinute.set(minute, (renewalsPerMinute.get(minute) ?? 0) + 1)
      }
    },
    renewals: renewalBudget(settings.renewalsPerMinute, clock)
  })

  const random = mulberry32(20261204)
  const pickKey = zipf(options.dayKeys, settings.zipfExponent, random)
  const firstSeen = new Map<number, number>()
  const lastSeen = new Map<number, number>()
  const requestsPerKey = new Map<number, number>()
  let servedBelowNeed = 0
  let failedRequests = 0
  for (const at of arrivals(options.dayRequests, random)) {
    clock.advance(dayStart + at - clock.now())
    const key = pickKey()
    firstSeen.set(key, firstSeen.get(key) ?? at)
    lastSeen.set(key, at)
    requestsPerKey.set(key, (requestsPerKey.get(key) ?? 0) + 1)
    unit.answerDue()
    const needSeconds = key % 5 === 0 ? settings.longNeedSeconds : 0
    const need = Math.max(needSeconds, settings.marginSeconds) * 1000
    const asked = { orgId: orgOf(key), scopes: ['customers'], minTtlSeconds: needSeconds }
    // Not awaited: requests that arrive while a mint is under way join it, as they would.
    tokens.getToken(asked).then((grant) => {
      if (grant.expiresAt - clock.now() < need) servedBelowNeed++
    }, () => { failedRequests++ })
    // A hit finishes within this turn; a mint waits for the stand-in's latency to pass.
    await nextTurn()
  }
  // The mints started by the last requests finish before the count.
  clock.advance(options.unitLatencyMs)
  unit.answerDue()
  await nextTurn()

  const lifetimeMs = settings.lifetimeSeconds * 1000
  // A key asked for once needs one token; one asked for all day needs a token per period.
  const periodsOf = (key: number, periodMs: number): number =>
    Math.max(1, Math.ceil(((lastSeen.get(key) ?? 0) - (firstSeen.get(key) ?? 0)) / periodMs))
  const ratio = (keys: number[], periodMs = lifetimeMs): number =>
    keys.reduce((sum, key) => sum + (mintsPerKey.get(orgOf(key)) ?? 0), 0) /
    keys.reduce((sum, key) => sum + periodsOf(key, periodMs), 0)
  const renewalPeriodMs = lifetimeMs * settings.refreshAfter
  const requested = [...firstSeen.keys()]
  const hottest = [...requestsPerKey.entries()].sort((a, b) => b[1] - a[1]).slice(0, 100)
    .map(([key]) => key)
  const [peakCallsMinute, peakCallsPerMinute] = peak(callsPerMinute)
  return {
    keys: options.dayKeys,
    keysRequested: requested.length,
    requests: options.dayRequests,
    mints: mintsByReason.miss + mintsByReason.stale + mintsByReason.renewal,
    mintsByReason,
    mintsPerKeyPerLifetime: ratio(requested),
    hotMintsPerKeyPerLifetime: ratio(hottest),
    hottestMintsPerLifetime: ratio(hottest.slice(0, 1)),
    mintsPerKeyPerRenewalPeriod: ratio(requested, renewalPeriodMs),
    hotMintsPerKeyPerRenewalPeriod: ratio(hottest, renewalPeriodMs),
    peakCallsPerMinute,
    peakCallsMinute,
    peakRenewalsPerMinute: peak(renewalsPerMinute)[1],
    servedBelowNeed,
    failedRequests,
    wallSeconds: (performance.now() - started) / 1000
  }
}

/** Unit's answers, each due a fixed latency after its call on the stepped clock. */
class SlowUnit {
  readonly #clock: FakeClock
  readonly #latencyMs: number
  readonly #waiting: Array<{ dueAt: number, answer: () => void }> = []

  constructor (clock: FakeClock, latencyMs: number) {
    this.#clock = clock
    this.#latencyMs = latencyMs
  }

  async answer (): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#waiting.push({ dueAt: this.#clock.now() + this.#latencyMs, answer: resolve })
    })
  }

  /** Answers every call whose latency has passed; calls are due in the order they came. */
  answerDue (): void {
    const now = this.#clock.now()
    while ((this.#waiting[0]?.dueAt ?? Infinity) <= now) this.#waiting.shift()?.answer()
  }
}

function orgOf (key: number): string {
  return `org-${key}`
}

function peak (counts: Map<number, number>): [number, number] {
  let best: [number, number] = [0, 0]
  for (const [minute, count] of counts) if (count > best[1]) best = [minute, count]
  return best
}

/**
 * Request times over the day, sorted: busiest at 14:00, a fifth as busy at
 * 02:00, each minute's share of the requests spread at random within it.
 */
function * arrivals (count: number, random: () => number): Generator<number> {
  const minutes = DAY_MS / MINUTE_MS
  const weight = (minute: number): number =>
    0.6 + 0.4 * Math.cos(2 * Math.PI * (minute / minutes - 14 / 24))
  const total = Array.from({ length: minutes }, (_, minute) => weight(minute))
    .reduce((a, b) => a + b, 0)
  let sent = 0
  let owed = 0
  for (let minute = 0; minute < minutes && sent < count; minute++) {
    owed += count * weight(minute) / total
    const now = Math.min(count - sent, Math.round(owed - sent))
    const times = Array.from({ length: now }, () => (minute + random()) * MINUTE_MS)
    sent += now
    yield * times.sort((a, b) => a - b)
  }
}

/** Key ranks 0 to n − 1 drawn with probability proportional to 1 / (rank + 1)^s. */
function zipf (n: number, s: number, random: () => number): () => number {
  const cumulative = new Float64Array(n)
  let sum = 0
  for (let rank = 0; rank < n; rank++) {
    sum += 1 / Math.pow(rank + 1, s)
    cumulative[rank] = sum
  }
  return () => {
    const target = random() * sum
    let low = 0
    let high = n - 1
    while (low < high) {
      const middle = (low + high) >>> 1
      if ((cumulative[middle] ?? 0) < target) low = middle + 1
      else high = middle
    }
    return low
  }
}

/** A small seeded generator, so every run sees the same day. */
function mulberry32 (seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
