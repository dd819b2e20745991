import { Readable } from 'node:stream'
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

/** Requests under a `hold` fault, with the bytes of body each sends before it waits. */
const holding = new WeakMap<FastifyRequest, number>()

/**
 * Counts the request for its endpoint group and plays the group's fault, if
 * one is armed, before the request is authenticated: a fault stands for
 * Unit failing, which happens whatever the request holds.
 */
export function faultHook (state: SandboxState, target: FaultTarget) {
  return async function playFault (
    request: FastifyRequest, reply: FastifyReply
  ): Promise<FastifyReply | undefined> {
    state.counts[target]++
    return await play(state, target, state.takeFault(target), state.latencyMs, request, reply)
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
    return await play(state, 'mint', fault, 0, request, reply)
  }
}

async function play (state: SandboxState, target: FaultTarget, fault: Fault | undefined,
  delayMs: number, request: FastifyRequest, reply: FastifyReply):
  Promise<FastifyReply | undefined> {
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
    case 'hold':
      holding.set(request, fault.afterBytes)
      return undefined
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

/**
 * Plays the second half of a `hold` fault: the answer goes out as usual but
 * its body stops after the first bytes until the test releases it, so a test
 * can see what a client does with a body that is still arriving.
 */
export function holdHook (state: SandboxState) {
  return async function holdBody (
    request: FastifyRequest, _reply: FastifyReply, payload: unknown
  ): Promise<unknown> {
    const afterBytes = holding.get(request)
    if (afterBytes === undefined || typeof payload !== 'string') return payload
    const body = Buffer.from(payload)
    const released = state.released
    return Readable.from((async function * () {
      yield body.subarray(0, afterBytes)
      await released
      yield body.subarray(afterBytes)
    })())
  }
}
