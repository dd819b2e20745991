import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { chmodSync, lstatSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { runCallerCommand } from '../src/callers/command.js'
import { call } from './helpers/broker.js'
import { bearer } from './helpers/callers.js'
import { ORG_1, setup } from './helpers/fixture.js'

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** The command as `npm run caller -- ...` runs it, in this process. */
async function caller (args: string[], env: Record<string, string> = {}): Promise<Run> {
  let stdout = ''
  let stderr = ''
  const code = runCallerCommand(args, { ...env }, {
    out: (text) => { stdout += text },
    err: (text) => { stderr += text }
  })
  return { code, stdout, stderr }
}

/** The command in a process of its own, for what only separate processes show. */
async function callerProcess (args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/callers/cli.ts', ...args], {
    env: { PATH: process.env.PATH, ...env }
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const [code] = await once(child, 'exit') as [number | null]
  return { code, stdout, stderr }
}

const names = (file: string): string[] =>
  (JSON.parse(readFileSync(file, 'utf8')) as { callers: Array<{ name: string }> }).callers
    .map((entry) => entry.name).sort()

t.test('add prints the key once and writes only its hash; the key opens the broker', async (t) => {
  const file = join(t.testdir(), 'callers.json')
  const added = await caller(['add', 'rewards', '--orgs', ORG_1, '--scopes', 'customers,cards',
    '--file', file])
  t.equal(added.code, 0)
  const key = added.stdout.trim()
  t.match(key, /^utb_[\w-]{43}$/)
  t.match(added.stderr, /shown this once only/)
  t.notOk(readFileSync(file, 'utf8').includes(key), 'the file holds no key')
  const listed = await caller(['list', '--file', file])
  t.match(listed.stdout, /^rewards\torgs=ipF58vfdszo=\tscopes=customers,cards\n$/)
  t.notOk(listed.stdout.includes(key))

  const { broker } = await setup(t, { BROKER_CALLERS_FILE: file })
  const answer = await call(broker.url, 'POST', '/v1/tokens', { orgId: ORG_1, scopes: 'cards' },
    bearer(key))
  t.equal(answer.status, 200)
})

t.test('commands run at once lose no change', async (t) => {
  const file = join(t.testdir(), 'callers.json')
  await caller(['add', 'victim', '--orgs', '*', '--scopes', 'cards', '--file', file])
  const runs = await Promise.all([
    callerProcess(['remove', 'victim', '--file', file]),
    ...Array.from({ length: 5 }, async (_, i) =>
      await callerProcess(['add', `service-${i}`, '--orgs', '*', '--scopes', 'cards', '--file', file]))
  ])
  t.same(runs.map((run) => run.code), runs.map(() => 0))
  t.same(names(file), Array.from({ length: 5 }, (_, i) => `service-${i}`).sort())
})

t.test('the file keeps its mode, and a link to it stays a link', async (t) => {
  const dir = t.testdir({ real: {} })
  const real = join(dir, 'real', 'callers.json')
  writeFileSync(real, '{"callers": []}')
  chmodSync(real, 0o640)
  const link = join(dir, 'callers.json')
  symlinkSync(real, link)
  t.equal((await caller(['add', 'a', '--orgs', '*', '--scopes', 'cards', '--file', link])).code, 0)
  t.ok(lstatSync(link).isSymbolicLink())
  t.equal(statSync(real).mode & 0o777, 0o640)
  t.same(names(real), ['a'])
})

t.test('a caller with scopes beyond the defaults can still be removed', async (t) => {
  const file = join(t.testdir(), 'callers.json')
  const env = { ALLOWED_SCOPES: 'customers cards-sensitive' }
  const added = await caller(['add', 'pci', '--orgs', '*', '--scopes', 'cards-sensitive',
    '--file', file], env)
  t.equal(added.code, 0)
  t.equal((await caller(['remove', 'pci', '--file', file])).code, 0)
  t.same(names(file), [])
})

t.test('mistakes are one line, and change nothing', async (t) => {
  const file = join(t.testdir(), 'callers.json')
  await caller(['add', 'a', '--orgs', '*', '--scopes', 'cards', '--file', file])
  const before = readFileSync(file, 'utf8')
  const mistakes = [
    ['add', 'a', '--orgs', '*', '--scopes', 'cards', '--file', file],
    ['add', 'b', '--orgs', '', '--scopes', 'cards', '--file', file],
    ['add', 'c', '--orgs', '*', '--scopes', 'payments-write', '--file', file],
    ['add', 'd', '--scopes', 'cards', '--file', file],
    ['remove', 'nobody', '--file', file],
    ['add', 'e', '--orgs', '*', '--scopes', 'cards', '--file', '/no/such/folder/c.json'],
    ['frobnicate', '--file', file]
  ]
  for (const args of mistakes) {
    const run = await caller(args)
    t.equal(run.code, 2, args.join(' '))
    t.match(run.stderr, /^caller: /, args.join(' '))
    t.equal(run.stdout, '', 'no key is printed')
  }
  t.equal(readFileSync(file, 'utf8'), before)
})
