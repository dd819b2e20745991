import { readFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { Redis } from 'ioredis'

export interface Machine {
  cores: number
  cpuModel: string
  memoryGiB: number
  node: string
  redis: string
  packages: Record<string, string>
}

const PACKAGES = ['fastify', 'ioredis', 'undici', 'pino', 'prom-client', 'autocannon', 'tsx']

/** What the numbers were measured on: they compare only within one run on one machine. */
export async function describeMachine (redisUrl: string): Promise<Machine> {
  const redis = new Redis(redisUrl)
  const info = await redis.info('server').finally(() => redis.disconnect())
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30 * 10) / 10,
    node: process.version,
    redis: /^redis_version:(\S+)/m.exec(info)?.[1] ?? 'unknown',
    packages: Object.fromEntries(PACKAGES.map((name) => [name, versionOf(name)]))
  }
}

function versionOf (name: string): string {
  const file = new URL(`../node_modules/${name}/package.json`, import.meta.url)
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
}
