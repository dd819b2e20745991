import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { parse } from 'yaml'
import { ConfigError, loadConfig } from '../src/config/config.js'
import { readSandboxConfig } from '../src/sandbox/config.js'
import { ROOT, readRepoFile } from './helpers/dockerfile.js'

// any: the test walks into the compose file's nested objects by name.
type Compose = any
const compose: Compose = parse(readRepoFile('docker-compose.yml'))
const { broker, redis, sandbox } = compose.services

const FILE_VARIABLE: Record<string, string> = {
  unit_partner_token: 'UNIT_PARTNER_TOKEN_FILE',
  broker_callers: 'BROKER_CALLERS_FILE',
  token_encryption_key: 'TOKEN_ENCRYPTION_KEY_FILE'
}

/** `${NAME:-default}` as Compose reads it with NAME unset. */
function unsetDefaults (env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([name, value]) =>
    [name, String(value).replace(/\$\{\w+:-([^}]*)\}/g, '$1')]))
}

t.test('the broker uses Redis and reads the partner token from a file secret', async (t) => {
  t.equal(broker.build, '.')
  t.match(broker.environment, {
    UNIT_PARTNER_TOKEN_FILE: '/run/secrets/unit_partner_token',
    REDIS_URL: 'redis://redis:6379',
    HOST: '0.0.0.0'
  })
  t.notOk('UNIT_PARTNER_TOKEN' in broker.environment, 'the token is never in the environment')
  t.same(broker.secrets, ['unit_partner_token', 'broker_callers', 'token_encryption_key'])
  for (const secret of broker.secrets) {
    t.equal(broker.environment[FILE_VARIABLE[secret] ?? secret], `/run/secrets/${String(secret)}`)
  }
  t.match(compose.secrets.unit_partner_token.file, /deploy\/compose\/sandbox-partner-token/)
  t.match(broker.depends_on, { redis: { condition: 'service_healthy' } })
  t.same(broker.ports, ['127.0.0.1:8080:8080'], 'published on the host\'s loopback only')
  t.equal(broker.read_only, true)
})

/** The broker's environment with every variable unset, and each secret file where Compose mounts it. */
function defaultEnvironment (): Record<string, string> {
  const mounted = Object.fromEntries(broker.secrets.map((secret: string) => [
    FILE_VARIABLE[secret],
    fileURLToPath(new URL(unsetDefaults({ file: compose.secrets[secret].file }).file ?? '', ROOT))
  ]))
  return { ...unsetDefaults(broker.environment), ...mounted }
}

t.test('with the defaults, the broker\'s environment is a valid configuration', async (t) => {
  const config = loadConfig(defaultEnvironment())
  t.equal(config.callers.length, 1, 'the demo caller')
  t.equal(config.keyRing?.sealing.id, 'demo')
  t.equal(config.unitApiUrl.href, 'http://sandbox:8081/')
  t.equal(config.redisUrl?.href, 'redis://redis:6379')
  t.equal(config.partnerToken, readSandboxConfig(sandbox.environment).partnerToken,
    'the demo\'s secret is the stand-in\'s partner token')
})

t.test('pointed at a real Unit, the published demo secrets stop the start', async (t) => {
  const live = { ...defaultEnvironment(), UNIT_API_URL: 'https://api.s.unit.sh' }
  const error = t.throws(() => loadConfig(live), ConfigError) as ConfigError
  t.match(error.message, /BROKER_CALLERS_FILE gives caller 'demo-service' the demo key published/)
  t.match(error.message, /TOKEN_ENCRYPTION_KEY_FILE holds the demo key published/)
})

t.test('every service has a health check and a restart policy', async (t) => {
  for (const [name, service] of Object.entries(compose.services as Record<string, Compose>)) {
    t.equal(service.restart, 'unless-stopped', name)
  }
  t.notOk(broker.healthcheck, 'the broker keeps the image\'s HEALTHCHECK')
  t.same(redis.healthcheck.test, ['CMD', 'redis-cli', 'ping'])
  t.match(sandbox.healthcheck.test.join(' '), /^CMD node -e fetch\('http:\/\/127\.0\.0\.1:8081\//)
})

t.test('the sandbox profile adds the local Unit stand-in from the same image', async (t) => {
  t.same(sandbox.profiles, ['sandbox'])
  t.equal(sandbox.image, broker.image)
  t.same(sandbox.command, ['node', 'dist/sandbox/main.js'])
  t.match(readSandboxConfig(sandbox.environment), { host: '0.0.0.0', port: 8081 })
  t.match(broker.depends_on.sandbox, { condition: 'service_healthy', required: false })
})

const composeCli = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' })
const skip = composeCli.status === 0
  ? false
  : 'the docker client here has no compose plugin (`docker compose version` fails)'

t.test('docker compose accepts the file', { skip }, async (t) => {
  const checked = spawnSync('docker', ['compose', '--profile', 'sandbox', 'config', '--quiet'],
    { cwd: fileURLToPath(ROOT), encoding: 'utf8' })
  t.equal(checked.status, 0, checked.stderr)
})
