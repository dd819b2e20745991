/**
 * A walk through the broker against the local Unit stand-in: list orgs, get a
 * token, read customers with it, and get it again from the cache. It starts
 * the built broker (dist/server.js) as a child process, configured only by
 * its environment, exactly as `npm start` would run it.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { request } from 'undici'
import { startSandbox, type Sandbox } from './sandbox/index.js'

const say = (line = ''): void => { process.stdout.write(`${line}\n`) }

async function main (): Promise<void> {
  const partnerToken = `demo-partner-${randomBytes(16).toString('hex')}`
  const sandbox = await startSandbox({ partnerTokens: [partnerToken] })
  const port = await freePort()
  const broker = startBroker(sandbox.url, partnerToken, port)
  try {
    const base = `http://127.0.0.1:${port}`
    await waitUntilReady(base, broker)
    await walk(base, sandbox)
  } finally {
    broker.kill('SIGTERM')
    await sandbox.close()
  }
}

function startBroker (unitUrl: string, partnerToken: string, port: number): ChildProcess {
  const server = fileURLToPath(new URL('./server.js', import.meta.url))
  return spawn(process.execPath, [server], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      PATH: process.env.PATH,
      UNIT_API_URL: unitUrl,
      UNIT_PARTNER_TOKEN: partnerToken,
      PORT: String(port),
      LOG_LEVEL: 'error',
      ...(process.env.REDIS_URL === undefined ? {} : { REDIS_URL: process.env.REDIS_URL })
    }
  })
}

async function walk (base: string, sandbox: Sandbox): Promise<void> {
  say(`Local Unit sandbox at ${sandbox.url}, broker at ${base}\n`)

  say('1. The orgs shared with the partner: GET /v1/orgs')
  const { orgs } = await send(base, 'GET', '/v1/orgs') as { orgs: Array<Record<string, string>> }
  for (const org of orgs) say(`   ${org.orgId ?? ''}  ${org.orgName ?? ''}`)
  const orgId = orgs[0]?.orgId ?? ''

  say(`\n2. A token for ${orgId} with "customers cards": POST /v1/tokens`)
  const first = await sendWithHeaders(base, '/v1/tokens', { orgId, scopes: 'customers cards' })
  const token = String(first.body.token)
  say(`   token ${token.slice(0, 16)}... (${token.length} characters), scopes ` +
    `${JSON.stringify(first.body.scopes)}, expires in ${String(first.body.expiresIn)} s`)
  say(`   Cache-Status: ${first.cacheStatus}`)

  say('\n3. Reading customers from Unit with that token: GET /customers?page[limit]=3')
  const customers = await send(sandbox.url, 'GET', '/customers?page[limit]=3', token) as {
    data: Array<{ type: string, attributes: Record<string, unknown> }>
  }
  for (const customer of customers.data) {
    const attributes = customer.attributes
    say(`   ${customer.type}: ${customerName(attributes)}`)
  }

  say('\n4. The same request again, from another service')
  const second = await sendWithHeaders(base, '/v1/tokens', { orgId, scopes: ['cards', 'customers'] })
  say(`   same token: ${String(second.body.token === token)}, Cache-Status: ${second.cacheStatus}`)

  say(`\nUnit saw ${sandbox.count('orgs')} org list call and ${sandbox.count('mint')} mint.`)
}

async function send (base: string, method: 'GET' | 'POST', path: string, bearer?: string,
  body?: unknown): Promise<unknown> {
  const headers: Record<string, string> = {}
  if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  const answer = await request(base + path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body)
  })
  const parsed: unknown = await answer.body.json()
  if (answer.statusCode >= 400) throw new Error(`${method} ${path}: ${JSON.stringify(parsed)}`)
  return parsed
}

async function sendWithHeaders (base: string, path: string, body: unknown):
Promise<{ body: Record<string, unknown>, cacheStatus: string }> {
  const answer = await request(base + path, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body)
  })
  const parsed = await answer.body.json() as Record<string, unknown>
  if (answer.statusCode !== 200) throw new Error(`POST ${path}: ${JSON.stringify(parsed)}`)
  return { body: parsed, cacheStatus: String(answer.headers['cache-status']) }
}

async function waitUntilReady (base: string, broker: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10000
  while (Date.now() < deadline) {
    if (broker.exitCode !== null) throw new Error('the broker exited; see the lines above')
    const ready = await request(`${base}/readyz`).then(
      async (answer) => { await answer.body.dump(); return answer.statusCode === 200 },
      () => false)
    if (ready) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error('the broker did not become ready within 10 s')
}

async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0))
    })
  })
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${(err as Error).message}\n`)
  process.exit(1)
})

/** Unit names a person in `fullName: {first, last}` and a business in `name`. */
function customerName (attributes: Record<string, unknown>): string {
  const fullName = attributes.fullName
  if (typeof fullName === 'object' && fullName !== null) {
    const { first, last } = fullName as Record<string, unknown>
    return `${String(first)} ${String(last)}`
  }
  return String(attributes.name)
}
