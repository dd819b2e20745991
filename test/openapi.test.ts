import { readFileSync } from 'node:fs'
import t from 'tap'
import { parse } from 'yaml'
import {
  CLIENT_TYPES_FILE, OPENAPI_FILE, clientTypes, openApiYaml
} from '../scripts/openapi-files.js'
import { ERROR_CODES } from '../src/errors.js'
import { call } from './helpers/broker.js'
import { setup } from './helpers/fixture.js'

const committed = readFileSync(OPENAPI_FILE, 'utf8')
const REGENERATE = 'run `npm run openapi` and commit the result'

// any: the test walks into the document's nested objects by name.
type Document = any
const document: Document = parse(committed)

t.test('openapi.yaml is what the route schemas describe', async (t) => {
  t.equal(committed, await openApiYaml(), `openapi.yaml is stale: ${REGENERATE}`)
})

t.test('the client types are what openapi.yaml gives', async (t) => {
  const types = readFileSync(CLIENT_TYPES_FILE, 'utf8')
  t.equal(types, await clientTypes(committed), `the client types are stale: ${REGENERATE}`)
})

/** Every operation of the document with its method and path. */
function operations (): Array<{ name: string, operation: Document }> {
  return Object.entries(document.paths as Record<string, Document>).flatMap(([path, item]) =>
    Object.entries(item as Record<string, Document>)
      .map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, operation })))
}

t.test('every operation has an example for each answer', async (t) => {
  for (const { name, operation } of operations()) {
    for (const [status, response] of Object.entries(operation.responses as Document)) {
      if (status === '204') continue
      for (const [type, media] of Object.entries((response as Document).content as Document)) {
        const given = (media as Document).example ?? (media as Document).examples
        t.ok(given, `${name} ${status} ${type} has an example`)
      }
    }
    const body = operation.requestBody?.content?.['application/json']
    if (body !== undefined) t.ok(body.example, `${name} has a request example`)
  }
})

t.test('every error answer is a problem with an example of each code', async (t) => {
  const shown = new Set<string>()
  for (const { name, operation } of operations()) {
    for (const [status, response] of Object.entries(operation.responses as Document)) {
      if (Number(status) < 400 || name === 'GET /readyz') continue
      const media = (response as Document).content['application/problem+json']
      t.same(media.schema, { $ref: '#/components/schemas/Problem' }, `${name} ${status}`)
      for (const [code, example] of Object.entries(media.examples as Document)) {
        t.match(example, { value: { code, status: Number(status) } }, `${name} ${status} ${code}`)
        shown.add(code)
      }
    }
  }
  // The answers of paths that are no route, and of methods the read routes
  // (which the document leaves out) do not take.
  const notOfARoute = ['not_found', 'method_not_allowed']
  const expected = Object.keys(ERROR_CODES).filter((code) => !notOfARoute.includes(code))
  t.same([...shown].sort(), expected.sort())
})

t.test('every /v1 route requires the caller key, and only those', async (t) => {
  t.match(document.components.securitySchemes.callerKey, { type: 'http', scheme: 'bearer' })
  for (const { name, operation } of operations()) {
    const expected = name.includes(' /v1/') ? [{ callerKey: [] }] : []
    t.same(operation.security, expected, name)
  }
})

t.test('the running broker serves the document and the page that shows it', async (t) => {
  const { broker } = await setup(t)
  const json = await call(broker.url, 'GET', '/openapi.json')
  t.equal(json.status, 200)
  t.same(json.json, document)

  const yaml = await call(broker.url, 'GET', '/openapi.yaml')
  t.equal(yaml.status, 200)
  t.match(yaml.headers['content-type'], /^application\/yaml/)
  t.same(parse(yaml.text), document)

  const page = await call(broker.url, 'GET', '/docs')
  t.equal(page.status, 200)
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.text, /swagger/i)
})
