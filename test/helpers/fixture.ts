import { randomBytes } from 'node:crypto'
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js'
import { startBroker, type TestBroker } from './broker.js'
import { FakeClock } from './clock.js'

interface Teardown {
  teardown (fn: () => unknown): void
}

export interface Fixture {
  sandbox: Sandbox
  broker: TestBroker
  clock: FakeClock
  partnerToken: string
}

/** A partner token that tests search for: it must never show anywhere. */
export function canaryPartnerToken (): string {
  return `partner-canary-${randomBytes(12).toString('hex')}`
}

/**
 * The local Unit stand-in and a broker pointed at it, both on loopback. The
 * stand-in's clock is the broker's, so a token Unit minted expires for both
 * at once.
 */
export async function setup (t: Teardown, env: Record<string, string> = {},
  partnerToken = canaryPartnerToken()): Promise<Fixture> {
  const clock = new FakeClock()
  const sandbox = await startSandbox({ partnerTokens: [partnerToken], now: () => clock.now() })
  t.teardown(() => sandbox.close())
  const broker = await startBroker(t, { unitUrl: sandbox.url, partnerToken, env, clock })
  return { sandbox, broker, clock, partnerToken }
}

/** Waits for something a background task does; fails after a few seconds. */
export async function until (condition: () => boolean | Promise<boolean>, what: string,
  timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** How many mints of that reason the broker has finished and logged. */
export function mintsLogged (broker: TestBroker, reason: 'miss' | 'stale' | 'renewal'): number {
  return broker.logs.filter((line) => {
    const entry = JSON.parse(line) as { event?: string, reason?: string }
    return entry.event === 'token_minted' && entry.reason === reason
  }).length
}

export const ORG_1 = 'ipF58vfdszo='
export const ORG_2 = 'h5D8B5gyHtk='
