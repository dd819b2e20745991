import { hashCallerKey } from '../callers/keys.js'
import type { Config } from './config.js'

/**
 * Secrets published with the project so that `docker compose --profile
 * sandbox up` runs with no setup: docker-compose.yml falls back to them
 * (deploy/compose) when no file of the operator's is named. Anyone can read
 * them, so they are refused with a real Unit, where a forgotten variable
 * would otherwise leave the broker open to a key from its own README.
 */
const DEMO_CALLER_KEY_HASH = Buffer.from(hashCallerKey('utb_compose-demo-key-not-a-secret'), 'hex')
const DEMO_ENCRYPTION_KEY = Buffer.from('compose-demo-key-not-a-secret-32')

interface Failing {
  fail: (name: string, problem: string) => undefined
}

/** Fails the start when a published secret is in use against anything but a local stand-in. */
export function refusePublishedSecrets (reader: Failing, config: Config): void {
  if (config.unitApiUrl.protocol !== 'https:') return
  for (const caller of config.callers) {
    if (caller.keyHash.equals(DEMO_CALLER_KEY_HASH)) {
      reader.fail('BROKER_CALLERS_FILE', `gives caller '${caller.name}' the demo key published ` +
        'with docker-compose.yml; give it a key of its own (npm run caller -- add)')
    }
  }
  for (const key of config.keyRing?.all.values() ?? []) {
    if (key.equals(DEMO_ENCRYPTION_KEY)) {
      const name = config.encryptionKeyFile === undefined
        ? 'TOKEN_ENCRYPTION_KEY'
        : 'TOKEN_ENCRYPTION_KEY_FILE'
      reader.fail(name, 'holds the demo key published with docker-compose.yml; ' +
        'make one of your own (openssl rand -base64 32)')
    }
  }
}
