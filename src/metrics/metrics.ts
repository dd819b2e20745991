import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { TokenStore } from '../stores/store.js'
import type {
  LookupEvent, MintEvent, RenewedEvent, ServedEvent, TokenEvents, LockWaitEvent
} from '../tokens/events.js'
import type { PartnerTokenState } from '../unit/client.js'

const PREFIX = 'unit_token_broker_'

/** Token life, from the expiry margin to Unit's longest lifetime (24 hours). */
const LIFE_BUCKETS = [30, 60, 300, 900, 1800, 3600, 7200, 14400, 28800, 43200, 86400]
const UNIT_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
const PARTNER_TOKEN_STATES: PartnerTokenState[] = ['unknown', 'accepted', 'rejected']

export type UnitOperation = 'orgs' | 'mint'
export type StoreOperation = 'get' | 'set' | 'delete' | 'ping'

export interface MetricsOptions {
  /**
   * Adds an `org` label to cache lookups and mints. Off by default: a
   * partner may have many orgs, and each one multiplies those series.
   */
  orgLabels: boolean
  partnerTokenState: () => PartnerTokenState
  /** Circuit breakers holding calls back now; the breaker comes after the metrics. */
  openBreakers?: () => { unit: number, org: number }
}

/**
 * The broker's Prometheus metrics, in a registry of their own so that every
 * app (and every test) counts apart. Labels take only bounded values: never a
 * token, a caller key or, unless asked for, an org id.
 */
export class BrokerMetrics implements TokenEvents {
  readonly registry = new Registry()
  readonly #orgLabels: boolean
  readonly #http: Counter<string>
  readonly #httpDuration: Histogram<string>
  readonly #lookups: Counter<string>
  readonly #mints: Counter<string>
  readonly #unitDuration: Histogram<string>
  readonly #servedLife: Histogram<string>
  readonly #renewalLead: Histogram<string>
  readonly #storeErrors: Counter<string>
  readonly #lockWaits: Histogram<string>
  readonly #unitReads: Counter<string>

  constructor (options: MetricsOptions) {
    this.#orgLabels = options.orgLabels
    const org = options.orgLabels ? ['org'] : []
    const counter = (name: string, help: string, labelNames: string[]): Counter<string> =>
      new Counter({ name: PREFIX + name, help, labelNames, registers: [this.registry] })
    const histogram = (name: string, help: string, labelNames: string[], buckets: number[]):
    Histogram<string> =>
      new Histogram({ name: PREFIX + name, help, labelNames, buckets, registers: [this.registry] })

    this.#http = counter('http_requests_total',
      'HTTP requests answered, by route template and status code.',
      ['method', 'route', 'status_code'])
    this.#httpDuration = histogram('http_request_duration_seconds',
      'Time to answer an HTTP request, by route template.', ['method', 'route'], HTTP_BUCKETS)
    this.#lookups = counter('cache_lookups_total',
      'Token requests by what the cache held: hit, miss (nothing) or stale (too little ' +
      'life left), and by the store tier that answered.', ['outcome', 'tier', ...org])
    this.#mints = counter('mints_total',
      'Tokens minted at Unit, by reason (miss, stale, renewal) and outcome (ok or the ' +
      'error code).', ['reason', 'outcome', ...org])
    this.#unitDuration = histogram('unit_request_duration_seconds',
      'Time Unit took to answer, by operation (orgs, mint) and outcome.',
      ['operation', 'outcome'], UNIT_BUCKETS)
    this.#servedLife = histogram('token_remaining_life_seconds',
      'Life a token had left when it was handed to a caller.', [], LIFE_BUCKETS)
    this.#renewalLead = histogram('renewal_lead_seconds',
      'Life the old token had left when its background renewal was stored.', [], LIFE_BUCKETS)
    this.#storeErrors = counter('store_errors_total',
      'Token store operations that failed, by store and operation.', ['store', 'operation'])
    this.#lockWaits = histogram('lock_wait_seconds',
      'Time a request waited on another replica\'s mint of the same entry, by how it ended ' +
      '(minted, failed, took_over).', ['outcome'], UNIT_BUCKETS)
    this.#unitReads = counter('unit_reads_total',
      'Reads of Unit through the broker, by row of the read table and status answered.',
      ['resource', 'status_code'])
    partnerTokenGauge(this.registry, options.partnerTokenState)
    if (options.openBreakers !== undefined) breakerGauge(this.registry, options.openBreakers)
    collectDefaultMetrics({ register: this.registry })
  }

  lookup (event: LookupEvent): void {
    this.#lookups.inc(this.#withOrg({ outcome: event.outcome, tier: event.tier }, event.orgId))
  }

  mint (event: MintEvent): void {
    this.#mints.inc(this.#withOrg({ reason: event.reason, outcome: event.outcome }, event.orgId))
  }

  served (event: ServedEvent): void {
    this.#servedLife.observe(event.remainingSeconds)
  }

  renewed (event: RenewedEvent): void {
    this.#renewalLead.observe(event.leadSeconds)
  }

  lockWaited (event: LockWaitEvent): void {
    this.#lockWaits.observe({ outcome: event.outcome }, event.seconds)
  }

  httpRequest (method: string, route: string, statusCode: number, seconds: number): void {
    this.#http.inc({ method, route, status_code: String(statusCode) })
    this.#httpDuration.observe({ method, route }, seconds)
  }

  unitCall (operation: UnitOperation, outcome: string, seconds: number): void {
    this.#unitDuration.observe({ operation, outcome }, seconds)
  }

  storeError (store: TokenStore['kind'], operation: StoreOperation): void {
    this.#storeErrors.inc({ store, operation })
  }

  unitRead (resource: string, statusCode: number): void {
    this.#unitReads.inc({ resource, status_code: String(statusCode) })
  }

  #withOrg (labels: Record<string, string>, orgId: string): Record<string, string> {
    return this.#orgLabels ? { ...labels, org: orgId } : labels
  }
}

/** Open circuit breakers: Unit's own (0 or 1) and how many orgs' are open. */
function breakerGauge (registry: Registry, open: () => { unit: number, org: number }): void {
  // eslint-disable-next-line no-new -- the registry keeps it; collect() reads at scrape time.
  new Gauge({
    name: `${PREFIX}circuit_open`,
    help: 'Circuit breakers now holding calls to Unit back, for Unit as a whole and for orgs.',
    labelNames: ['scope'] as const,
    registers: [registry],
    collect () {
      const now = open()
      this.set({ scope: 'unit' }, now.unit)
      this.set({ scope: 'org' }, now.org)
    }
  })
}

/** One series per state, 1 for the current one: alerts match `{state="rejected"} == 1`. */
function partnerTokenGauge (registry: Registry, state: () => PartnerTokenState): void {
  // eslint-disable-next-line no-new -- the registry keeps it; collect() reads at scrape time.
  new Gauge({
    name: `${PREFIX}partner_token_state`,
    help: 'The partner token\'s standing at the last answer from Unit (1 for the current state).',
    labelNames: ['state'] as const,
    registers: [registry],
    collect () {
      const current = state()
      for (const each of PARTNER_TOKEN_STATES) this.set({ state: each }, each === current ? 1 : 0)
    }
  })
}
