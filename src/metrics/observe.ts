import { performance } from 'node:perf_hooks'
import { isBrokerError } from '../errors.js'
import type { StoredToken, TokenStore } from '../stores/store.js'
import type { OrgSource } from '../tokens/orgs.js'
import type { Minter } from '../tokens/token-service.js'
import type {
  CallOptions, MintRequest, MintedToken, Org, PartnerTokenState
} from '../unit/client.js'
import type { BrokerMetrics, StoreOperation, UnitOperation } from './metrics.js'

/** What the broker asks of Unit's client, timed. */
export interface ObservedUnit extends Minter, OrgSource {
  readonly partnerTokenState: PartnerTokenState
  // The options carry a retry's shorter timeout through to the client.
  listOrgs (options?: CallOptions): Promise<Org[]>
  mintOnBehalfToken (request: MintRequest, options?: CallOptions): Promise<MintedToken>
}

/** Times every call to Unit by operation and outcome. */
export function observeUnit (unit: ObservedUnit, metrics: BrokerMetrics): ObservedUnit {
  const timed = async <T>(operation: UnitOperation, call: () => Promise<T>): Promise<T> => {
    const started = performance.now()
    const seconds = (): number => (performance.now() - started) / 1000
    try {
      const result = await call()
      metrics.unitCall(operation, 'ok', seconds())
      return result
    } catch (err) {
      metrics.unitCall(operation, isBrokerError(err) ? err.code : 'error', seconds())
      throw err
    }
  }
  return {
    get partnerTokenState () { return unit.partnerTokenState },
    listOrgs: async (options?: CallOptions): Promise<Org[]> =>
      await timed('orgs', () => unit.listOrgs(options)),
    mintOnBehalfToken: async (request: MintRequest, options?: CallOptions): Promise<MintedToken> =>
      await timed('mint', () => unit.mintOnBehalfToken(request, options))
  }
}

/** Counts every failed store operation, whoever catches the failure afterwards. */
export function observeStore (store: TokenStore, metrics: BrokerMetrics): TokenStore {
  const counted = async <T>(operation: StoreOperation, call: () => Promise<T>): Promise<T> => {
    try {
      return await call()
    } catch (err) {
      metrics.storeError(store.kind, operation)
      throw err
    }
  }
  return {
    kind: store.kind,
    get: async (key: string) => await counted('get', () => store.get(key)),
    set: async (key: string, entry: StoredToken, ttlMs: number, generation?: number) =>
      await counted('set', () => store.set(key, entry, ttlMs, generation)),
    delete: async (key: string, fingerprint?: string) =>
      await counted('delete', () => store.delete(key, fingerprint)),
    ping: async () => await counted('ping', () => store.ping()),
    close: async () => await store.close()
  }
}
