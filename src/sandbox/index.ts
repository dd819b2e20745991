/**
 * A local stand-in for Unit's sandbox API: the partner endpoints that list
 * orgs and mint on-behalf tokens, and the read endpoints those tokens open,
 * over seeded data. Tests and the demo start it; the broker talks to it over
 * HTTP exactly as it talks to Unit. routes-control.ts documents the HTTP
 * switches of the standalone process.
 */
import type { AddressInfo } from 'node:net'
import { buildApp } from './app.js'
import { SandboxState } from './state.js'
import { DEFAULT_PARTNER_TOKEN, type Sandbox, type SandboxOptions } from './types.js'

export { SANDBOX_ORGS } from './seed.js'
export { DEFAULT_PARTNER_TOKEN } from './types.js'
export type {
  CallRecord, Fault, FaultTarget, MintRecord, Sandbox, SandboxOptions
} from './types.js'

export async function startSandbox (options: SandboxOptions = {}): Promise<Sandbox> {
  const state = new SandboxState({
    partnerTokens: options.partnerTokens ?? [DEFAULT_PARTNER_TOKEN],
    now: options.now ?? Date.now,
    enforceSourceIp: options.enforceSourceIp ?? true,
    latencyMs: options.latencyMs ?? 0
  })
  const app = buildApp(state, options.logger ?? false)
  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 })

  return {
    // Listening on TCP, the address is never a pipe name or null.
    url: baseUrl(app.server.address() as AddressInfo),
    calls: state.calls,
    mints: state.mints,
    count: target => state.counts[target],
    setFault: (target, fault, times) => { state.setFault(target, fault, times) },
    setOrgFault: (orgId, fault, times) => { state.setOrgFault(orgId, fault, times) },
    grantLifetime: seconds => { state.grantLifetime(seconds) },
    setPartnerTokens: tokens => { state.tokens.setPartnerTokens(tokens) },
    revokeToken: token => { state.tokens.revoke(token) },
    releaseHeld: () => { state.releaseHeld() },
    reset: () => { state.reset() },
    close: async () => {
      state.closing.abort()
      state.releaseHeld()
      await app.close()
    }
  }
}

function baseUrl ({ address, family, port }: AddressInfo): string {
  const host = family === 'IPv6' ? `[${address}]` : address
  return `http://${host}:${port}`
}
