import { spawn } from 'node:child_process'
import { cpSync, readdirSync, readFileSync, symlinkSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { generateCallerKey, hashCallerKey } from '../src/callers/keys.js'
import { startSandbox } from '../src/sandbox/index.js'
import { call } from './helpers/broker.js'
import {
  ROOT, contextAllowlist, execForm, parseDockerfile, readRepoFile
} from './helpers/dockerfile.js'
import { until } from './helpers/fixture.js'
import { freePort } from './helpers/redis.js'

// The image is built where a Docker engine runs; here the test repeats its
// steps: the build context as .dockerignore leaves it, `npm run build` in it,
// then the image's command and health check, as /app would hold them.

const root = fileURLToPath(ROOT)
const final = parseDockerfile(readRepoFile('Dockerfile')).filter((i) => i.stage === 1)
const command = execForm(final.find((i) => i.keyword === 'CMD'))
const healthCheck = execForm(final.find((i) => i.keyword === 'HEALTHCHECK'))

interface Run { code: number | null, output: string }

function run (argv: string[], options: { cwd: string, env?: Record<string, string> }):
{ done: Promise<Run>, stop: () => void, output: () => string } {
  const child = spawn(argv[0] ?? '', argv.slice(1), {
    cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
  const done = new Promise<Run>((resolve) => {
    child.on('close', (code) => resolve({ code, output }))
  })
  return { done, stop: () => child.kill('SIGTERM'), output: () => output }
}

/** The build context, built: what the build stage holds after `npm run build`. */
async function buildContext (dir: string): Promise<void> {
  for (const path of contextAllowlist(readRepoFile('.dockerignore'))) {
    cpSync(join(root, path), join(dir, path), { recursive: true })
  }
  // The same lockfile is installed here already; linking it stands in for `npm ci`.
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir')
  const build = await run(['npm', 'run', 'build'], { cwd: dir }).done
  if (build.code !== 0) throw new Error(`npm run build failed:\n${build.output}`)
}

/** Bare module names imported anywhere under a folder of compiled code. */
function importedPackages (dir: string): Set<string> {
  const names = new Set<string>()
  for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.js')) continue
    const code = readFileSync(join(dir, file), 'utf8')
    for (const [, name] of code.matchAll(/(?:from |import\()'([^'.][^']*)'/g)) {
      const parts = (name ?? '').split('/')
      names.add(name?.startsWith('@') === true ? parts.slice(0, 2).join('/') : parts[0] ?? '')
    }
  }
  return names
}

t.test('the image\'s build, command and health check work', async (t) => {
  const callerKey = generateCallerKey()
  const dir = t.testdir({
    'partner-token': 'image-test-partner-token\n',
    'callers.json': JSON.stringify({
      callers: [{ name: 'image-check', keySha256: hashCallerKey(callerKey), orgs: '*', scopes: ['cards'] }]
    })
  })
  await buildContext(dir)

  const { dependencies } = JSON.parse(readRepoFile('package.json')) as
    { dependencies: Record<string, string> }
  // pino-pretty is loaded only at a terminal, and only when it is installed.
  const missing = [...importedPackages(join(dir, 'dist'))].filter((name) =>
    !(name in dependencies) && !builtinModules.includes(name.replace(/^node:/, '')) &&
    name !== 'pino-pretty')
  t.same(missing, [], 'the production dependencies hold everything dist imports')

  const sandbox = await startSandbox({ partnerTokens: ['image-test-partner-token'] })
  t.teardown(() => sandbox.close())
  const port = String(await freePort())
  const broker = run(command, {
    cwd: dir,
    // Here the broker listens on loopback only; the image sets HOST=0.0.0.0.
    env: {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: port,
      UNIT_API_URL: sandbox.url,
      UNIT_PARTNER_TOKEN_FILE: join(dir, 'partner-token'),
      BROKER_CALLERS_FILE: join(dir, 'callers.json')
    }
  })
  t.teardown(() => broker.stop())
  const healthy = async (): Promise<boolean> =>
    (await run(healthCheck, { cwd: dir, env: { PORT: port } }).done).code === 0
  await until(healthy, 'the health check to pass', 15000)

  const base = `http://127.0.0.1:${port}`
  const token = await call(base, 'POST', '/v1/tokens', { orgId: 'ipF58vfdszo=', scopes: 'cards' },
    { 'x-request-id': 'image-check-1', authorization: `Bearer ${callerKey}` })
  t.equal(token.status, 200)
  t.equal((await call(base, 'GET', '/openapi.json')).json.info.title, 'unit-token-broker')

  broker.stop()
  const stopped = await broker.done
  t.equal(stopped.code, 0, 'SIGTERM stops it cleanly')
  const lines = stopped.output.trim().split('\n').map((line) => JSON.parse(line))
  t.ok(lines.some((line) => line.reqId === 'image-check-1'), 'JSON lines with the request id')
  t.notOk(stopped.output.includes('image-test-partner-token'), 'the partner token is not logged')
  t.notOk(stopped.output.includes(callerKey), 'nor the caller key')
  t.notOk(await healthy(), 'the health check fails once the broker is gone')
})
