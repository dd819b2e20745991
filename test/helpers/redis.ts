import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import { Redis } from 'ioredis'

export interface TestRedis {
  url: string
  /** A key prefix no other test uses. */
  prefix: string
}

interface Teardown {
  teardown (fn: () => unknown): void
}

const NO_REDIS = 'These tests need Redis: install redis-server (Debian: apt-get install ' +
  'redis-server) so it is on PATH, or set REDIS_URL to a Redis 6 or 7 they may write to.'
const NO_REDIS_SERVER = 'This test stops and restarts a Redis of its own: install ' +
  'redis-server (Debian: apt-get install redis-server) so it is on PATH; REDIS_URL is not enough.'

/**
 * A Redis for one test: REDIS_URL when set, with a key prefix of its own;
 * otherwise a redis-server started here on a free loopback port.
 */
export async function testRedis (t: Teardown): Promise<TestRedis> {
  const prefix = `utb-test-${randomBytes(6).toString('hex')}:`
  const shared = process.env.REDIS_URL
  if (shared !== undefined && shared !== '') {
    t.teardown(() => dropKeys(shared, prefix))
    return { url: shared, prefix }
  }
  const server = await startRedisServer()
  t.teardown(() => server.stop())
  return { url: server.url, prefix }
}

export interface RedisServer {
  url: string
  port: number
  stop (): Promise<void>
}

/** Starts a throwaway redis-server that keeps nothing on disk. */
export async function startRedisServer (port?: number): Promise<RedisServer> {
  const chosen = port ?? await freePort()
  const child = spawn('redis-server', [
    '--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'
  ], { stdio: 'ignore' })
  await new Promise<void>((resolve, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      const missing = process.env.REDIS_URL === undefined ? NO_REDIS : NO_REDIS_SERVER
      reject(err.code === 'ENOENT' ? new Error(missing) : err)
    })
    child.once('spawn', () => resolve())
  })
  const url = `redis://127.0.0.1:${chosen}`
  await waitForRedis(url).catch((err: unknown) => {
    child.kill('SIGKILL')
    throw err
  })
  return {
    url,
    port: chosen,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGKILL')
      await exited
    }
  }
}

async function waitForRedis (url: string): Promise<void> {
  const deadline = Date.now() + 5000
  for (;;) {
    const redis = new Redis(url, { lazyConnect: true, retryStrategy: () => null })
    redis.on('error', () => {})
    try {
      await redis.connect()
      await redis.ping()
      return
    } catch (err) {
      if (Date.now() > deadline) throw err
      await new Promise((resolve) => setTimeout(resolve, 20))
    } finally {
      redis.disconnect()
    }
  }
}

async function dropKeys (url: string, prefix: string): Promise<void> {
  const redis = new Redis(url)
  try {
    const keys = await redis.keys(`${prefix}*`)
    if (keys.length > 0) await redis.del(...keys)
  } finally {
    redis.disconnect()
  }
}

export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}
