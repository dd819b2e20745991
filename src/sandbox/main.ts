// Runs the sandbox as a process, for the demo and for trying the broker by hand.
import { ConfigError, readSandboxConfig } from './config.js'
import { SANDBOX_ORGS, startSandbox } from './index.js'

async function main (): Promise<void> {
  const config = readSandboxConfig(process.env)
  const sandbox = await startSandbox({
    host: config.host,
    port: config.port,
    partnerTokens: [config.partnerToken],
    latencyMs: config.latencyMs
  })
  const orgIds = SANDBOX_ORGS.map(org => org.orgId).join(' ')
  console.log(`Unit sandbox listening on ${sandbox.url} with orgs ${orgIds}`)

  const stop = (): void => {
    sandbox.close().catch(fail)
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

function fail (error: unknown): void {
  const message = error instanceof Error ? error.message : String(error)
  console.error(error instanceof ConfigError ? message : `Unit sandbox failed: ${message}`)
  process.exitCode = 1
}

main().catch(fail)
