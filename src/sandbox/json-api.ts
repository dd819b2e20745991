// The JSON:API surface Unit speaks: its media type, error documents and request bodies.

import { randomUUID } from 'node:crypto'
import { STATUS_CODES } from 'node:http'

export const JSON_API = 'application/vnd.api+json'

export interface ErrorSource {
  pointer?: string
  parameter?: string
}

export interface ErrorItem {
  code: string
  detail: string
  source?: ErrorSource
}

export interface ErrorDocument {
  errors: Array<{
    status: string
    title: string
    code: string
    detail: string
    source?: ErrorSource
    meta: { supportId: string }
  }>
}

/** A refusal Unit would answer with; the error handler turns it into a JSON:API body. */
export class UnitError extends Error {
  readonly status: number
  readonly items: ErrorItem[]

  constructor (status: number, items: ErrorItem[]) {
    super(items.map(item => item.detail).join('; '))
    this.status = status
    this.items = items
  }
}

export function titleOf (status: number): string {
  return STATUS_CODES[status] ?? 'Error'
}

/** `Too Many Requests` becomes `too_many_requests`, the shape of Unit's generic codes. */
export function codeOf (status: number): string {
  return titleOf(status).toLowerCase().replace(/[^a-z0-9]+/g, '_')
}

export function errorDocument (status: number, items: ErrorItem[]): ErrorDocument {
  // Unit gives every error its own support id, to quote when asking them about it.
  return {
    errors: items.map(item => ({
      status: String(status),
      title: titleOf(status),
      ...item,
      meta: { supportId: randomUUID() }
    }))
  }
}

export function unauthorized (detail: string): UnitError {
  return new UnitError(401, [{ code: 'unauthorized', detail }])
}

export function forbidden (detail: string): UnitError {
  return new UnitError(403, [{ code: 'forbidden', detail }])
}

export function notFound (resource: string, id: string): UnitError {
  const detail = `No ${resource} with id ${id}`
  return new UnitError(404, [{ code: `${resource}_not_found`, detail }])
}

export function invalidParameter (parameter: string, detail: string): UnitError {
  return new UnitError(400, [{ code: 'invalid_value', detail, source: { parameter } }])
}

export function invalidBody (pointer: string, detail: string): ErrorItem {
  return { code: 'invalid_value', detail, source: { pointer } }
}

/** The body as the catch-all parser left it: a string, or undefined when empty. */
export function readJsonBody (body: unknown): unknown {
  if (typeof body !== 'string' || body.trim() === '') {
    throw new UnitError(400, [invalidBody('', 'the request has no body')])
  }
  try {
    return JSON.parse(body)
  } catch {
    throw new UnitError(400, [invalidBody('', 'the body is not valid JSON')])
  }
}

export function isObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
