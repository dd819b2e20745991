import { BrokerError, ERROR_CODES, isBrokerError, type ErrorCode } from '../errors.js'
import type { Log } from '../log.js'
import type { MintCoordinator, MintLock, StoredToken } from '../stores/store.js'
import type { LockWaitEvent, LockWaitOutcome } from './events.js'

export interface FleetMint {
  coordinator: MintCoordinator
  key: string
  /** The most this process waits on other holders before giving up. */
  waitMs: number
  /** How often a holder extends its lock while it works. */
  extendEveryMs: number
  /** What the store holds now, when it is a newer token than the one being replaced. */
  fresh: () => Promise<StoredToken | undefined>
  /** Calls Unit and stores the token, fenced by the lock's generation when there is one. */
  mint: (generation: number | undefined) => Promise<StoredToken>
  log: Log
  /** Told how each wait on another holder ended. */
  waited?: (event: LockWaitEvent) => void
}

/**
 * One call to Unit per entry across the fleet. The process that takes the
 * entry's lock mints; the others wait for its news and read its token. A
 * holder that dies frees the lock when it expires, and the next waiter takes
 * it. Without Redis the process mints alone rather than fail.
 */
export async function mintAcrossFleet (job: FleetMint): Promise<StoredToken> {
  const started = Date.now()
  const deadline = started + job.waitMs
  let waited = false
  const report = (outcome: LockWaitOutcome): void => {
    if (waited) job.waited?.({ outcome, seconds: (Date.now() - started) / 1000 })
  }
  for (;;) {
    const listener = job.coordinator.listen(job.key)
    try {
      let lock: MintLock | { heldForMs: number }
      try {
        lock = await job.coordinator.tryLock(job.key)
      } catch (err) {
        job.log.warn({ event: 'mint_lock_failed', err }, 'minting without the fleet lock')
        return await job.mint(undefined)
      }
      if ('generation' in lock) {
        report('took_over')
        return await mintHolding(job, lock)
      }

      const found = await job.fresh()
      if (found !== undefined) return found
      const left = deadline - Date.now()
      if (left <= 0) throw tooSlowElsewhere()
      waited = true
      const news = await listener.wait(Math.min(lock.heldForMs + 50, left))
      if (news.kind === 'failed') {
        report('failed')
        throw failedElsewhere(news.code)
      }
      const after = await job.fresh()
      if (after !== undefined) {
        report('minted')
        return after
      }
    } finally {
      listener.stop()
    }
  }
}

async function mintHolding (job: FleetMint, lock: MintLock): Promise<StoredToken> {
  // Alive and at work, the holder keeps its lock; a holder that died stops, and the lock lapses.
  const keeper = setInterval(() => { lock.extend().catch(() => {}) }, job.extendEveryMs)
  let failure: { err: unknown } | undefined
  try {
    // Another holder may have finished between our read and our lock.
    const found = await job.fresh()
    if (found !== undefined) return found
    return await job.mint(lock.generation)
  } catch (err) {
    failure = { err }
    throw err
  } finally {
    clearInterval(keeper)
    await lock.release().catch((err: unknown) => {
      job.log.warn({ event: 'mint_lock_release_failed', err }, 'the lock expires by itself')
    })
    // Told once the lock is free, so a waiter told to try takes it at once.
    if (failure !== undefined) await announce(job, failure.err).catch(() => {})
  }
}

/**
 * Held back by this replica's own breaker or partner token gate, it never
 * asked Unit: another replica, whose view of Unit may differ, should try
 * rather than fail alike. Otherwise the waiters answer with its error.
 */
async function announce (job: FleetMint, err: unknown): Promise<void> {
  if (heldHere(err)) await job.coordinator.announceRelease(job.key)
  else await job.coordinator.announceFailure(job.key, isBrokerError(err) ? err.code : 'internal_error')
}

function heldHere (err: unknown): boolean {
  return isBrokerError(err) && err.logContext?.heldForMs !== undefined
}

/** A holder still alive but slower than a request may wait: the request gives up. */
function tooSlowElsewhere (): BrokerError {
  return new BrokerError('upstream_timeout',
    'Another replica\'s mint of this token is taking longer than a request may wait.',
    { retryAfterSeconds: 1 })
}

/** The waiters answer as the holder did, rather than each asking Unit again. */
function failedElsewhere (code: string): BrokerError {
  const known = (Object.keys(ERROR_CODES) as ErrorCode[]).find((name) => name === code)
  return new BrokerError(known ?? 'upstream_unavailable',
    'Unit failed the mint of this token moments ago; try again shortly.',
    { retryAfterSeconds: 1 })
}
