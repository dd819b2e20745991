import { spawn } from 'node:child_process'
import { once } from 'node:events'
import t from 'tap'
import { ConfigError, readSandboxConfig } from '../src/sandbox/config.js'
import { SANDBOX_ORGS } from '../src/sandbox/index.js'

const MAIN = new URL('../src/sandbox/main.ts', import.meta.url).pathname

/** Runs main.ts the way tap runs this file, so the TypeScript loader comes along. */
function runMain (env: Record<string, string>) {
  const child = spawn(process.execPath, [...process.execArgv, MAIN], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', chunk => { stdout += chunk })
  child.stderr.setEncoding('utf8').on('data', chunk => { stderr += chunk })
  return { child, stdout: () => stdout, stderr: () => stderr }
}

t.test('the settings default to a loopback sandbox on port 8081', async t => {
  t.same(readSandboxConfig({}), {
    host: '127.0.0.1', port: 8081, partnerToken: 'sandbox-partner-token', latencyMs: 0
  })
  t.same(readSandboxConfig({
    SANDBOX_HOST: '::1', SANDBOX_PORT: '9000', SANDBOX_PARTNER_TOKEN: 'abc', SANDBOX_LATENCY_MS: ''
  }), { host: '::1', port: 9000, partnerToken: 'abc', latencyMs: 0 })
})

t.test('a bad setting is a ConfigError naming the variable', async t => {
  const bad: Array<Record<string, string>> = [
    { SANDBOX_PORT: 'http' }, { SANDBOX_PORT: '70000' }, { SANDBOX_PORT: '-1' },
    { SANDBOX_LATENCY_MS: '1.5' }, { SANDBOX_PARTNER_TOKEN: 'two words' }
  ]
  for (const env of bad) {
    const name = Object.keys(env)[0] ?? ''
    const error = t.throws(() => readSandboxConfig(env), { message: new RegExp(name) }, name)
    t.ok(error instanceof ConfigError, name)
  }
})

t.test('the process prints its URL and org ids, and stops on SIGTERM', async t => {
  const run = runMain({ SANDBOX_PORT: '0', SANDBOX_LATENCY_MS: '0' })
  t.teardown(() => { run.child.kill() })
  while (!run.stdout().includes('\n')) await once(run.child.stdout, 'data')

  const line = run.stdout().trim()
  const url = /http:\/\/127\.0\.0\.1:\d+/.exec(line)?.[0]
  t.ok(url, line)
  t.ok(SANDBOX_ORGS.every(org => line.includes(org.orgId)))
  const response = await fetch(`${url}/partners/orgs`, {
    headers: { authorization: 'Bearer sandbox-partner-token' }
  })
  t.equal(response.status, 200)

  run.child.kill('SIGTERM')
  const [code] = await once(run.child, 'exit')
  t.equal(code, 0)
})

t.test('a bad environment prints one line and exits 1', async t => {
  const run = runMain({ SANDBOX_PORT: 'eighty' })

  const [code] = await once(run.child, 'exit')
  t.equal(code, 1)
  t.equal(run.stderr().trim().split('\n').length, 1)
  t.match(run.stderr(), /SANDBOX_PORT/)
})
