import { readFileSync } from 'node:fs'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import { ProblemComponent } from './responses.js'

/** Where the running broker serves its API document and the page that shows it. */
export const DOCS_PREFIX = '/docs'
export const DOCUMENT_PATHS = { json: '/openapi.json', yaml: '/openapi.yaml' } as const

/** The scheme every /v1 route will name once callers authenticate with a key. */
export const CALLER_KEY_SCHEME = 'callerKey'

const DESCRIPTION = [
  'Keeps a Unit partner token on the server and serves cached, renewed on-behalf tokens',
  'for the orgs shared with the partner. Every error is an RFC 9457 problem',
  '(`application/problem+json`) with a stable `code`; every answer carries an',
  '`x-request-id` header, the caller\'s own when it sent a sane one.'
].join(' ')

function packageVersion (): string {
  // Two levels up from src/http and from dist/http alike; the image ships package.json.
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8')
  return (JSON.parse(text) as { version: string }).version
}

function documentBase () {
  return {
    openapi: '3.1.0',
    info: {
      title: 'unit-token-broker',
      version: packageVersion(),
      description: DESCRIPTION,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' }
    },
    servers: [{ url: 'http://127.0.0.1:8080', description: 'A broker started with npm start' }],
    tags: [
      { name: 'tokens', description: 'On-behalf tokens, minted once and served from the cache' },
      { name: 'orgs', description: 'The orgs shared with the partner' },
      { name: 'operations', description: 'Probes and metrics for the platform; no key needed' }
    ],
    components: {
      securitySchemes: {
        [CALLER_KEY_SCHEME]: {
          type: 'http' as const,
          scheme: 'bearer',
          description: 'The calling service\'s own key (not a Unit token).'
        }
      }
    }
  }
}

/**
 * An operation states its security. A route whose schema names none needs no
 * key, and the document says so with an empty list; a route that requires the
 * caller key sets `security: [{ callerKey: [] }]` in its own schema.
 */
function stateSecurity ({ schema, url }: { schema: object, url: string }) {
  const given = schema as { security?: unknown }
  return { schema: given.security === undefined ? { ...schema, security: [] } : schema, url }
}

/**
 * Collects the route schemas into an OpenAPI document and serves it, with an
 * interactive page. It must be registered on the root before any route, so
 * that it sees every route as it is added.
 */
export async function registerOpenApi (app: FastifyInstance): Promise<void> {
  app.addSchema(ProblemComponent)
  await app.register(swagger, {
    openapi: documentBase(),
    transform: stateSecurity,
    // Shared schemas keep their own names in the document (and in generated clients).
    refResolver: {
      buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`)
    }
  })
  await app.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    // The page must not send the document to an outside validator.
    uiConfig: { validatorUrl: null },
    logLevel: 'warn'
  })
  app.get(DOCUMENT_PATHS.json, { schema: { hide: true }, logLevel: 'warn' },
    async () => app.swagger())
  app.get(DOCUMENT_PATHS.yaml, { schema: { hide: true }, logLevel: 'warn' },
    async (_request, reply) => reply.type('application/yaml').send(app.swagger({ yaml: true })))
}
