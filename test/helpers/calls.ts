import type { Sandbox } from '../../src/sandbox/index.js'

/** The mint calls Unit received, for one org or for all. */
export function mintCalls (sandbox: Sandbox, orgId?: string): number {
  return sandbox.calls.filter((call) => call.path === '/partners/token' &&
    (orgId === undefined || call.orgId === orgId)).length
}

/** The log lines of one event, parsed. */
// any: each event has fields of its own, and the tests read them by name.
export function logged (logs: readonly string[], event: string): any[] {
  return logs.map((line) => JSON.parse(line)).filter((entry) => entry.event === event)
}
