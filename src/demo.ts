/**
 * A walk through the broker against the local Unit stand-in: list orgs, get a
 * token, read customers with it, and get it again from the cache. It starts
 * the built broker (dist/server.js) as a child process, configured only by
 * its environment, exactly as `npm start` would run it.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { request } from 'undici'
import { generateCallerKey, hashCallerKey } from './callers/keys.js'
import { startSandbox, type Sandbox } from './sandbox/index.js'

const say = (line = ''): void => { process.stdout.write(`${line}\n`) }

async function main (): Promise<void> {
  const partnerToken = `demo-partner-${randomBytes(16).toString('hex')}`
  const sandbox = await startSandbox({ partnerTokens: [partnerToken] })
  const port = await freePort()
  const secrets = mkdtempSync(join(tmpdir(), 'unit-token-broker-demo-'))
  const callerKey = writeDemoCaller(secrets)
  const broker = startBroker(sandbox.url, partnerToken, port, secrets)
  try {
    const base = `http://127.0.0.1:${port}`
    await waitUntilReady(base, broker)
    await walk(base, sandbox, callerKey)
  } finally {
    broker.kill('SIGTERM')
    await sandbox.close()
    rmSync(secrets, { recursive: true, force: true })
  }
}

/** One calling service, as `npm run caller -- add` would declare it; gives its key. */
function writeDemoCaller (folder: string): string {
  const key = generateCallerKey()
  writeFileSync(join(folder, 'callers.json'), JSON.stringify({
    callers: [{
      name: 'demo-service', keySha256: hashCallerKey(key), orgs: '*', scopes: ['customers', 'cards']
    }]
  }))
  return key
}

function startBroker (unitUrl: string, partnerToken: string, port: number, secrets: string):
ChildProcess {
  const server = fileURLToPath(new URL('./server.js', import.meta.url))
  const redisUrl = process.env.REDIS_URL
  return spawn(process.execPath, [server], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      PATH: process.env.PATH,
      UNIT_API_URL: unitUrl,
      UNIT_PARTNER_TOKEN: partnerToken,
      BROKER_CALLERS_FILE: join(secrets, 'callers.json'),
      PORT: String(port),
      LOG_LEVEL: 'error',
      ...(redisUrl === undefined
        ? {}
        : {
            REDIS_URL: redisUrl,
            REDIS_KEY_PREFIX: `utb-demo-${randomBytes(4).toString('hex')}:`,
            TOKEN_ENCRYPTION_KEY: `demo:${randomBytes(32).toString('base64')}`
          })
    }
  })
}

async function walk (base: string, sandbox: Sandbox, callerKey: string): Promise<void> {
  say(`Local Unit sandbox at ${sandbox.url}, broker at ${base}`)
  say(`Calling as demo-service with its caller key ${callerKey.slice(0, 8)}...\n`)

  say('1. The orgs shared with the partner: GET /v1/orgs')
  const { orgs } = await send(base, 'GET', '/v1/orgs', callerKey) as {
    orgs: Array<Record<string, string>>
  }
  for (const org of orgs) say(`   ${org.orgId ?? ''}  ${org.orgName ?? ''}`)
  const orgId = orgs[0]?.orgId ?? ''

  say(`\n2. A token for ${orgId} with "customers cards": POST /v1/tokens`)
  const first = await sendWithHeaders(base, callerKey, { orgId, scopes: 'customers cards' })
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
  const second = await sendWithHeaders(base, callerKey, { orgId, scopes: ['cards', 'customers'] })
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

/** POST /v1/tokens, giving the answer and its Cache-Status. */
async function sendWithHeaders (base: string, callerKey: string, body: unknown):
Promise<{ body: Record<string, unknown>, cacheStatus: string }> {
  const answer = await request(`${base}/v1/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${callerKey}` },
    body: JSON.stringify(body)
  })
  const parsed = await answer.body.json() as Record<string, unknown>
  if (answer.statusCode !== 200) throw new Error(`POST /v1/tokens: ${JSON.stringify(parsed)}`)
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
