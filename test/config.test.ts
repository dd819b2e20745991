import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { ConfigError, loadConfig } from '../src/config/config.js'

const TOKEN = 'partner-canary-3f9c2b7e'
/** The least an environment needs besides the partner token, for local use. */
const LOCAL = { BROKER_AUTH_DISABLED: 'true' }

function problemsOf (env: Record<string, string>): string[] {
  try {
    loadConfig(env)
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  return []
}

t.test('defaults follow the documented table', async (t) => {
  const config = loadConfig({ ...LOCAL, UNIT_PARTNER_TOKEN: TOKEN })
  t.equal(config.unitApiUrl.href, 'https://api.s.unit.sh/')
  t.equal(config.partnerToken, TOKEN)
  t.same(config.sourceIps, [])
  t.equal(config.tokenLifetimeSeconds, 86400)
  t.equal(config.tokenRefreshAfter, 0.8)
  t.equal(config.tokenExpiryMarginSeconds, 30)
  t.equal(config.upstreamTimeoutMs, 5000)
  t.equal(config.orgsCacheSeconds, 60)
  t.ok(config.allowedScopes.includes('customers'))
  t.notOk(config.allowedScopes.some((scope) => scope.includes('write')))
  t.equal(config.redisUrl, undefined)
  t.equal(config.redisKeyPrefix, 'utb:')
  t.equal(config.host, '127.0.0.1')
  t.equal(config.port, 8080)
  t.equal(config.logLevel, 'info')
})

t.test('every mistake is one line naming its variable', async (t) => {
  const problems = problemsOf({
    ...LOCAL,
    UNIT_PARTNER_TOKEN: TOKEN,
    UNIT_API_URL: 'ftp://unit.example',
    UNIT_SOURCE_IPS: '10.0.0.1, not-an-ip',
    TOKEN_LIFETIME_SECONDS: '90000',
    TOKEN_REFRESH_AFTER: '1.5',
    TOKEN_EXPIRY_MARGIN_SECONDS: '-1',
    UPSTREAM_TIMEOUT_MS: '5s',
    ORGS_CACHE_SECONDS: '1e3',
    ALLOWED_SCOPES: 'customers,payments-write,custmers',
    REDIS_URL: 'http://localhost:6379',
    TOKEN_ENCRYPTION_DISABLED: 'true',
    REDIS_KEY_PREFIX: 'utb:{x}:',
    PORT: '70000',
    LOG_LEVEL: 'loud'
  })
  const named = problems.map((line) => line.split(' ')[0])
  t.same(named.sort(), [
    'ALLOWED_SCOPES', 'ALLOWED_SCOPES', 'LOG_LEVEL', 'ORGS_CACHE_SECONDS', 'PORT',
    'REDIS_KEY_PREFIX', 'REDIS_URL', 'TOKEN_EXPIRY_MARGIN_SECONDS', 'TOKEN_LIFETIME_SECONDS',
    'TOKEN_REFRESH_AFTER', 'UNIT_API_URL', 'UNIT_SOURCE_IPS', 'UPSTREAM_TIMEOUT_MS'
  ])
  for (const line of problems) t.notMatch(line, /\n/)
  t.match(problems.join('\n'), /'payments-write', a write scope/)
  t.match(problems.join('\n'), /'not-an-ip' is not one/)
})

t.test('exactly one of UNIT_PARTNER_TOKEN and UNIT_PARTNER_TOKEN_FILE', async (t) => {
  t.match(problemsOf(LOCAL), [/^UNIT_PARTNER_TOKEN is not set/])
  t.match(problemsOf({ ...LOCAL, UNIT_PARTNER_TOKEN: TOKEN, UNIT_PARTNER_TOKEN_FILE: '/x' }),
    [/both set/])
})

t.test('the partner token file is read and trimmed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utb-config-'))
  const file = join(dir, 'partner-token')
  writeFileSync(file, `${TOKEN}\n`)
  const config = loadConfig({ ...LOCAL, UNIT_PARTNER_TOKEN_FILE: file })
  t.equal(config.partnerToken, TOKEN)
  t.equal(config.partnerTokenFile, file)

  t.match(problemsOf({ ...LOCAL, UNIT_PARTNER_TOKEN_FILE: join(dir, 'missing') }),
    [/^UNIT_PARTNER_TOKEN_FILE names a file that cannot be read \(ENOENT\)/])
  writeFileSync(file, '\n')
  t.match(problemsOf({ ...LOCAL, UNIT_PARTNER_TOKEN_FILE: file }), [/empty partner token/])
  // A pipe in the secret's place would block the start for ever if it were read.
  const pipe = join(dir, 'pipe')
  execFileSync('mkfifo', [pipe])
  t.match(problemsOf({ ...LOCAL, UNIT_PARTNER_TOKEN_FILE: pipe }), [/not a file/])
})

t.test('no problem line repeats a secret', async (t) => {
  const secret = 'hunter2-canary'
  const problems = [
    ...problemsOf({ ...LOCAL, UNIT_PARTNER_TOKEN: `${secret} with spaces` }),
    ...problemsOf({ ...LOCAL, UNIT_PARTNER_TOKEN: TOKEN, REDIS_URL: `http://user:${secret}@localhost` }),
    ...problemsOf({ ...LOCAL, UNIT_PARTNER_TOKEN: TOKEN, REDIS_URL: `redis://:${secret}@[bad` })
  ]
  t.equal(problems.length, 3)
  for (const line of problems) t.notMatch(line, secret)
})

t.test('a renewal point that leaves no more than the margin is refused', async (t) => {
  t.match(problemsOf({
    ...LOCAL,
    UNIT_PARTNER_TOKEN: TOKEN,
    TOKEN_LIFETIME_SECONDS: '100',
    TOKEN_REFRESH_AFTER: '0.9',
    TOKEN_EXPIRY_MARGIN_SECONDS: '30'
  }), [/^TOKEN_REFRESH_AFTER leaves 10s of life at renewal/])
})

t.test('MEMORY_CACHE_ENTRIES 0 turns the in-process tier off, and needs Redis', async (t) => {
  const redis = { REDIS_URL: 'redis://127.0.0.1:6379', TOKEN_ENCRYPTION_DISABLED: 'true' }
  const base = { ...LOCAL, UNIT_PARTNER_TOKEN: TOKEN, MEMORY_CACHE_ENTRIES: '0' }
  t.equal(loadConfig({ ...base, ...redis }).memoryCacheEntries, 0)
  t.match(problemsOf(base), [/^MEMORY_CACHE_ENTRIES is 0 without Redis/])
  t.match(problemsOf({ ...base, ...redis, MEMORY_CACHE_ENTRIES: '-1' }),
    [/^MEMORY_CACHE_ENTRIES must be a whole number from 0 to 10000000/])
})

t.test('the server refuses to start on bad configuration, one stderr line each', async (t) => {
  const child = spawn(process.execPath, [...process.execArgv, 'src/server.ts'], {
    env: { PATH: process.env.PATH, ...LOCAL, UNIT_PARTNER_TOKEN: `${TOKEN} x`, PORT: 'eighty' }
  })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const code = await new Promise((resolve) => child.on('exit', resolve))
  t.equal(code, 1)
  const lines = stderr.trim().split('\n')
  t.equal(lines.length, 2)
  t.match(lines.join('\n'), /configuration: PORT must be a whole number/)
  t.match(lines.join('\n'), /configuration: UNIT_PARTNER_TOKEN holds a partner token with spaces/)
  t.notMatch(stderr, TOKEN)
})
