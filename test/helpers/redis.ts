import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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
  /** Freezes the server (SIGSTOP): its connections stay open and nothing answers. */
  hang (): void
  /** Thaws a frozen server (SIGCONT). */
  resume (): void
}

/** Starts a throwaway redis-server that keeps nothing on disk. */
export async function startRedisServer (port?: number, extraArgs: string[] = []):
Promise<RedisServer> {
  const chosen = port ?? await freePort()
  // A replica's full sync still writes an RDB file: into a folder of this server's own.
  const dir = mkdtempSync(join(tmpdir(), 'utb-redis-'))
  const child = spawn('redis-server', [
    '--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--dir', dir, ...extraArgs
  ], { stdio: 'ignore' })
  child.once('exit', () => rmSync(dir, { recursive: true, force: true }))
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
    },
    hang: () => { child.kill('SIGSTOP') },
    resume: () => { child.kill('SIGCONT') }
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

/**
 * A Redis Cluster of three masters on free loopback ports, each owning a
 * third of the slots, as `redis-cli --cluster create` would make it. With
 * `standby`, a fourth node replicates the first master (slots 0 to 5460),
 * and nodes call a peer failed after one second instead of fifteen.
 */
export async function startRedisCluster (dir: string, options: { standby?: boolean } = {}):
Promise<RedisServer[]> {
  const count = options.standby === true ? 4 : 3
  const timeout = options.standby === true ? ['--cluster-node-timeout', '1000'] : []
  const nodes: RedisServer[] = []
  for (let i = 0; i < count; i++) {
    const port = await freePort()
    nodes.push(await startRedisServer(port, [
      '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--dir', dir,
      ...timeout
    ]))
  }
  const clients = nodes.map((node) => new Redis(node.url))
  try {
    const ranges = [[0, 5460], [5461, 10922], [10923, 16383]]
    await Promise.all(clients.slice(0, 3).map(async (client, i) => {
      const [from, to] = ranges[i] ?? [0, 0]
      await client.call('CLUSTER', 'ADDSLOTSRANGE', String(from), String(to))
    }))
    for (const node of nodes.slice(1)) {
      await clients[0]?.call('CLUSTER', 'MEET', '127.0.0.1', String(node.port))
    }
    await clusterReady(clients, count)
    const [first, standby] = [clients[0], clients[3]]
    if (first !== undefined && standby !== undefined) {
      await standby.call('CLUSTER', 'REPLICATE', String(await first.call('CLUSTER', 'MYID')))
      await replicaOnline(first)
    }
  } finally {
    for (const client of clients) client.disconnect()
  }
  return nodes
}

async function clusterReady (clients: Redis[], count: number): Promise<void> {
  const deadline = Date.now() + 15000
  for (;;) {
    const states = await Promise.all(clients.map(async (client) =>
      String(await client.call('CLUSTER', 'INFO'))))
    if (states.every((info) => info.includes('cluster_state:ok') &&
      info.includes(`cluster_known_nodes:${count}`))) return
    if (Date.now() > deadline) throw new Error('the test cluster did not form')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

async function replicaOnline (master: Redis): Promise<void> {
  const deadline = Date.now() + 15000
  while (!(await master.info('replication')).includes('state=online')) {
    if (Date.now() > deadline) throw new Error('the test cluster\'s replica did not sync')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** A Sentinel on a free loopback port watching the master at `masterPort` as `mymaster`. */
export async function startSentinel (dir: string, masterPort: number): Promise<RedisServer> {
  const port = await freePort()
  const config = join(dir, `sentinel-${port}.conf`)
  writeFileSync(config, [
    `port ${port}`, 'bind 127.0.0.1', `dir ${dir}`,
    `sentinel monitor mymaster 127.0.0.1 ${masterPort} 1`,
    'sentinel down-after-milliseconds mymaster 1000',
    'sentinel failover-timeout mymaster 5000'
  ].join('\n') + '\n')
  const child = spawn('redis-server', [config, '--sentinel'], { stdio: 'ignore' })
  await once(child, 'spawn')
  const url = `redis://127.0.0.1:${port}`
  await waitForRedis(url)
  return {
    url,
    port,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = once(child, 'exit')
      child.kill('SIGKILL')
      await exited
    },
    hang: () => { child.kill('SIGSTOP') },
    resume: () => { child.kill('SIGCONT') }
  }
}

/** Waits until one replica of the server has every write so far; the number of replicas that do. */
export async function replicated (server: RedisServer): Promise<number> {
  const client = new Redis(server.url)
  try {
    return Number(await client.call('WAIT', '1', '5000'))
  } finally {
    client.disconnect()
  }
}
