import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'

interface Teardown {
  teardown (fn: () => unknown): void
}

export interface BrokerProcess {
  url: string
  child: ChildProcess
  /** Every line the process wrote to standard output. */
  lines: string[]
  /** Resolves with the exit code (or the signal) once the process is gone. */
  exited: Promise<number | string>
}

/**
 * The broker as operators run it: src/server.ts in its own process, with
 * only an environment. It listens on a free loopback port.
 */
export async function spawnBroker (t: Teardown, env: Record<string, string>):
Promise<BrokerProcess> {
  // tsx starts the TypeScript entry in a second; tap's own loader takes many more.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string)
  // If this test process is stopped (a timeout), the broker must not outlive it.
  const orphaned = (): void => { child.kill('SIGKILL') }
  process.once('exit', orphaned)
  exited.then(() => process.off('exit', orphaned), () => {})
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited
  })
  const lines: string[] = []
  let rest = ''
  let ready: (url: string) => void = () => {}
  const url = new Promise<string>((resolve) => { ready = resolve })
  child.stdout?.on('data', (chunk: Buffer) => {
    const text = rest + chunk.toString('utf8')
    const parts = text.split('\n')
    rest = parts.pop() ?? ''
    for (const line of parts) {
      lines.push(line)
      const port = /"address":\{[^}]*"port":(\d+)/.exec(line)?.[1]
      if (port !== undefined) ready(`http://127.0.0.1:${port}`)
    }
  })
  const started = await Promise.race([url, exited.then((code) => {
    throw new Error(`the broker exited with ${String(code)} before it was ready`)
  })])
  return { url: started, child, lines, exited }
}
