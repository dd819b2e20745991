import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { generateCallerKey, hashCallerKey } from '../src/callers/keys.js'
import { startSandbox, type Sandbox } from '../src/sandbox/index.js'
import { DEFAULT_ALLOWED_SCOPES } from '../src/tokens/scopes.js'
import { freePort, startRedisServer, type RedisServer } from '../test/helpers/redis.js'

/** A server the bench started in a process of its own, on a loopback port. */
export interface Served {
  url: string
  pid: number
  /** Resident set size now, in bytes. */
  rss (): number
  stop (): Promise<void>
}

/**
 * Everything the brokers under test need, all on this machine: a Redis of
 * the bench's own (so FLUSHALL and MEMORY USAGE concern only it), the local
 * Unit stand-in, one caller with its key and an encryption key.
 */
export interface Stage {
  redis: RedisServer
  sandbox: Sandbox
  partnerToken: string
  callerKey: string
  encryptionKey: string
  /** A broker's environment on this stage, with these extra variables. */
  brokerEnv (extra?: Record<string, string>): Record<string, string>
  /** Starts a broker (src/server.ts) in its own process with this extra environment. */
  broker (env?: Record<string, string>): Promise<Served>
  /** Starts the bare fastify route that answers with exactly this body. */
  bare (body: string): Promise<Served>
  close (): Promise<void>
}

const ROOT = new URL('../', import.meta.url)

export async function startStage (unitLatencyMs: number): Promise<Stage> {
  const dir = mkdtempSync(join(tmpdir(), 'utb-bench-'))
  const partnerToken = `bench-partner-${randomBytes(12).toString('hex')}`
  const callerKey = generateCallerKey()
  const callersFile = join(dir, 'callers.json')
  writeFileSync(callersFile, JSON.stringify({
    callers: [{
      name: 'bench', keySha256: hashCallerKey(callerKey), orgs: '*', scopes: DEFAULT_ALLOWED_SCOPES
    }]
  }))
  const encryptionKey = `bench:${randomBytes(32).toString('base64')}`
  const redis = await startRedisServer()
  const sandbox = await startSandbox({ partnerTokens: [partnerToken], latencyMs: unitLatencyMs })
  const started: Served[] = []

  const brokerEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
    UNIT_API_URL: sandbox.url,
    UNIT_PARTNER_TOKEN: partnerToken,
    BROKER_CALLERS_FILE: callersFile,
    REDIS_URL: redis.url,
    TOKEN_ENCRYPTION_KEY: encryptionKey,
    // The bench sends far more than a caller's budget: it measures the broker, not the limit.
    CALLER_RATE_LIMIT_PER_MINUTE: '1000000',
    LOG_LEVEL: 'info',
    ...extra
  })
  return {
    redis,
    sandbox,
    partnerToken,
    callerKey,
    encryptionKey,
    brokerEnv,
    broker: async (extra = {}) => {
      const served = await serve('src/server.ts', brokerEnv(extra))
      started.push(served)
      return served
    },
    bare: async (body) => {
      const served = await serve('bench/bare-server.ts', { BENCH_BARE_BODY: body })
      started.push(served)
      return served
    },
    close: async () => {
      await Promise.all(started.map(async (served) => await served.stop()))
      await sandbox.close()
      await redis.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

/**
 * One server process, run from the TypeScript sources as the tests run
 * them. Its standard output (the broker's JSON log) goes nowhere: reading
 * it would cost the bench's own process CPU that the load generator needs.
 */
async function serve (entry: string, env: Record<string, string>): Promise<Served> {
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'inherit']
  })
  const exited = once(child, 'exit')
  const orphaned = (): void => { child.kill('SIGKILL') }
  process.once('exit', orphaned)
  const url = `http://127.0.0.1:${port}`
  await untilHealthy(url, child)
  return {
    url,
    pid: child.pid ?? 0,
    rss: () => rssOf(child.pid ?? 0),
    stop: async () => {
      process.off('exit', orphaned)
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    }
  }
}

async function untilHealthy (url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server at ${url} exited at start`)
    try {
      const answer = await request(`${url}/healthz`)
      await answer.body.dump()
      if (answer.statusCode === 200) return
    } catch {}
    if (Date.now() > deadline) throw new Error(`the server at ${url} did not start`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** VmRSS from /proc, in bytes. */
export function rssOf (pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]
  return Number(kb ?? 0) * 1024
}
