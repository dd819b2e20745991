import type { Clock } from '../clock.js'
import type { Log } from '../log.js'
import type { Org } from '../unit/client.js'

/** How soon a failed refresh of the org list is tried again. */
const RETRY_AFTER_FAILURE_MS = 5000

export interface OrgSource {
  listOrgs (): Promise<Org[]>
}

/**
 * The orgs shared with the partner, reused for a while. When Unit cannot be
 * asked, the last list keeps serving rather than failing every request.
 */
export class OrgDirectory {
  readonly #source: OrgSource
  readonly #clock: Clock
  readonly #log: Log
  readonly #reuseMs: number
  #orgs: Map<string, Org> | undefined
  #freshUntil = 0
  #refreshing: Promise<Map<string, Org>> | undefined

  constructor (source: OrgSource, clock: Clock, log: Log, cacheSeconds: number) {
    this.#source = source
    this.#clock = clock
    this.#log = log
    this.#reuseMs = cacheSeconds * 1000
  }

  async list (): Promise<Org[]> {
    return [...(await this.#current()).values()]
  }

  async isShared (orgId: string): Promise<boolean> {
    return (await this.#current()).has(orgId)
  }

  async #current (): Promise<Map<string, Org>> {
    if (this.#orgs !== undefined && this.#clock.now() < this.#freshUntil) return this.#orgs
    this.#refreshing ??= this.#refresh().finally(() => { this.#refreshing = undefined })
    return await this.#refreshing
  }

  async #refresh (): Promise<Map<string, Org>> {
    try {
      const orgs = await this.#source.listOrgs()
      this.#orgs = new Map(orgs.map((org) => [org.orgId, org]))
      this.#freshUntil = this.#clock.now() + this.#reuseMs
      return this.#orgs
    } catch (err) {
      if (this.#orgs === undefined) throw err
      this.#log.warn({ event: 'orgs_refresh_failed', err }, 'kept the last org list')
      this.#freshUntil = this.#clock.now() + Math.min(this.#reuseMs, RETRY_AFTER_FAILURE_MS)
      return this.#orgs
    }
  }
}
