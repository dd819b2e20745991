import { setTimeout as delay } from 'node:timers/promises'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { codeOf, errorDocument } from './json-api.js'
import { mintOrgOf } from './mint.js'
import type { SandboxState } from './state.js'
import type { Fault, FaultTarget } from './types.js'

// What a `malformed` fault answers: the success status, the token or data missing.
const MALFORMED: Record<FaultTarget, { status: number, body: unknown }> = {
  orgs: { status: 200, body: {} },
  mint: {
    status: 201,
    body: { data: { type: 'onBehalfToken', attributes: { expiresIn: 86_400 } } }
  },
  reads: { status: 200, body: {} }
}

/**
 * Counts the request for its endpoint group and plays the group's fault, if
 * one is armed, before the request is authenticated: a fault stands for
 * Unit failing, which happens whatever the request holds.
 */
export function faultHook (state: SandboxState, target: FaultTarget) {
  return async function playFault (
    _request: FastifyRequest, reply: FastifyReply
  ): Promise<FastifyReply | undefined> {
    state.counts[target]++
    return await play(state, target, state.takeFault(target), state.latencyMs, reply)
  }
}

/**
 * Plays the fault armed for the org a mint names. It runs once the body is
 * read, after the partner token check: Unit learns the org from the body.
 */
export function orgFaultHook (state: SandboxState) {
  return async function playOrgFault (
    request: FastifyRequest, reply: FastifyReply
  ): Promise<FastifyReply | undefined> {
    const orgId = mintOrgOf(request.body)
    const fault = orgId === undefined ? undefined : state.takeOrgFault(orgId)
    return await play(state, 'mint', fault, 0, reply)
  }
}

async function play (state: SandboxState, target: FaultTarget, fault: Fault | undefined,
  delayMs: number, reply: FastifyReply): Promise<FastifyReply | undefined> {
  const waitMs = delayMs + (fault?.kind === 'latency' ? fault.ms : 0)
  if (waitMs > 0 && !await waited(waitMs, state.closing.signal)) return reply.hijack()

  switch (fault?.kind) {
    case 'status':
      return sendStatus(reply, fault)
    case 'malformed':
      return reply.code(MALFORMED[target].status).send(MALFORMED[target].body)
    case 'hang':
      // Nothing is ever written; closing the sandbox destroys the connection.
      return reply.hijack()
    default:
      return undefined
  }
}

/** False when the sandbox closed first: its connections are gone, nothing is left to answer. */
async function waited (ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await delay(ms, undefined, { signal })
    return true
  } catch {
    return false
  }
}

function sendStatus (reply: FastifyReply, fault: Fault & { kind: 'status' }): FastifyReply {
  const body = fault.body ?? errorDocument(fault.status, [{
    code: codeOf(fault.status),
    detail: 'Fault injected by the sandbox'
  }])
  return reply.code(fault.status).headers(fault.headers ?? {}).send(body)
}
