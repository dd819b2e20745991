import { isIP } from 'node:net'

/**
 * Small readers for environment values. Each returns the value, or records one
 * line naming the variable and what is wrong with it. A line never repeats the
 * value when the variable may hold a secret.
 */
export class EnvReader {
  readonly problems: string[] = []
  readonly #env: Readonly<Record<string, string | undefined>>

  constructor (env: Readonly<Record<string, string | undefined>>) {
    this.#env = env
  }

  /** The trimmed value, or undefined when unset or empty. */
  raw (name: string): string | undefined {
    const value = this.#env[name]?.trim()
    return value === undefined || value === '' ? undefined : value
  }

  fail (name: string, message: string): undefined {
    this.problems.push(`${name} ${message}`)
    return undefined
  }

  integer (name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name)
    if (value === undefined) return fallback
    const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      return this.fail(name, `must be a whole number from ${min} to ${max}, got '${value}'`) ??
        fallback
    }
    return parsed
  }

  fraction (name: string, fallback: number): number {
    const value = this.raw(name)
    if (value === undefined) return fallback
    const parsed = /^(0(\.\d+)?|\.\d+)$/.test(value) ? Number(value) : Number.NaN
    if (!(parsed > 0 && parsed < 1)) {
      return this.fail(name, `must be a fraction between 0 and 1, got '${value}'`) ?? fallback
    }
    return parsed
  }

  /** `true` or `false`; anything else is a mistake, not a silent false. */
  boolean (name: string, fallback: boolean): boolean {
    const value = this.raw(name)
    if (value === undefined) return fallback
    if (value !== 'true' && value !== 'false') {
      return this.fail(name, `must be true or false, got '${value}'`) ?? fallback
    }
    return value === 'true'
  }

  oneOf<T extends string> (name: string, fallback: T, choices: readonly T[]): T {
    const value = this.raw(name)
    if (value === undefined) return fallback
    if (!(choices as readonly string[]).includes(value)) {
      return this.fail(name, `must be one of ${choices.join(', ')}, got '${value}'`) ?? fallback
    }
    return value as T
  }

  /** A URL of one of the given protocols, with no query or fragment. */
  url (name: string, fallback: string | undefined, protocols: readonly string[],
    secret = false): URL | undefined {
    const value = this.raw(name) ?? fallback
    if (value === undefined) return undefined
    // A URL with an @ may carry a password: such a value is never repeated.
    const shown = secret || value.includes('@') ? '' : ` '${value}'`
    let url: URL
    try {
      url = new URL(value)
    } catch {
      return this.fail(name, `must be a URL, got${shown || ' something else'}`)
    }
    if (!protocols.includes(url.protocol)) {
      return this.fail(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`)
    }
    if (url.search !== '' || url.hash !== '') {
      return this.fail(name, 'must not have a query or a fragment')
    }
    return url
  }

  /** A comma-separated list of IP addresses, without duplicates. */
  ipList (name: string): string[] {
    const value = this.raw(name)
    if (value === undefined) return []
    const ips = value.split(',').map((ip) => ip.trim())
    const bad = ips.find((ip) => isIP(ip) === 0)
    if (bad !== undefined) {
      this.fail(name, `must be IP addresses separated by commas, '${bad}' is not one`)
      return []
    }
    return [...new Set(ips)]
  }
}
