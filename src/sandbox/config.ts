import { DEFAULT_PARTNER_TOKEN } from './types.js'

export interface SandboxConfig {
  host: string
  port: number
  partnerToken: string
  latencyMs: number
}

/** A setting the process cannot start with; its message is the one line printed. */
export class ConfigError extends Error {}

/** Reads the standalone sandbox's settings; an empty variable counts as unset. */
export function readSandboxConfig (env: Record<string, string | undefined>): SandboxConfig {
  return {
    host: env.SANDBOX_HOST || '127.0.0.1',
    port: integer(env, 'SANDBOX_PORT', 8081, 65_535),
    partnerToken: partnerToken(env.SANDBOX_PARTNER_TOKEN || DEFAULT_PARTNER_TOKEN),
    latencyMs: integer(env, 'SANDBOX_LATENCY_MS', 0, 600_000)
  }
}

function integer (
  env: Record<string, string | undefined>, name: string, fallback: number, max: number
): number {
  const text = env[name]
  if (!text) return fallback
  const value = /^\d+$/.test(text) ? Number(text) : NaN
  if (!(value <= max)) {
    throw new ConfigError(`${name} must be an integer from 0 to ${max}, not ${JSON.stringify(text)}`)
  }
  return value
}

function partnerToken (token: string): string {
  // A space would split the Authorization header into something else.
  if (/\s/.test(token)) throw new ConfigError('SANDBOX_PARTNER_TOKEN must not contain spaces')
  return token
}
