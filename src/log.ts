import { pino, type Logger, type LoggerOptions } from 'pino'

export type Log = Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>

/**
 * Paths that could hold a secret. The broker never logs them on purpose; the
 * redaction is the net under that rule.
 */
export const REDACT_PATHS = [
  'token', '*.token', 'partnerToken', '*.partnerToken',
  'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization',
  'req.headers.authorization', 'request.headers.authorization', 'body', '*.body',
  'command', '*.command', 'previousErrors', '*.previousErrors'
]

/**
 * Errors are logged by their kind and message only. Client libraries hang
 * more on them (ioredis puts the failed command and its arguments, which may
 * hold a sealed token, on every reply error), and none of that is for logs.
 */
export function serializeError (err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { type: typeof err, message: String(err) }
  const code = (err as NodeJS.ErrnoException).code
  return {
    type: err.name,
    message: err.message,
    ...(typeof code === 'string' ? { code } : {}),
    stack: err.stack
  }
}

export function loggerOptions (level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: serializeError },
    base: { service: 'unit-token-broker' }
  }
}

export function createLogger (level: string, destination?: pino.DestinationStream): Logger {
  return pino(loggerOptions(level), destination)
}

/** Where the process logs: standard output, or a stand-in for it in tests. */
export type Output = NodeJS.WritableStream & { isTTY?: boolean }

type Prettifier = (options: { destination: Output, colorize: boolean }) =>
pino.DestinationStream
export type LoadPrettifier = () => Promise<Prettifier>

const loadPinoPretty: LoadPrettifier = async () => (await import('pino-pretty')).default

/**
 * The process's logger: JSON lines, except for a person at a terminal, who
 * gets pino-pretty's lines when it is installed. It is a development
 * dependency, absent from the production image, which then logs JSON.
 */
export async function createProcessLogger (level: string, output: Output = process.stdout,
  loadPrettifier: LoadPrettifier = loadPinoPretty): Promise<Logger> {
  // On standard output pino writes to the descriptor itself, as it does by default.
  const json = (): Logger => createLogger(level, output === process.stdout ? undefined : output)
  if (output.isTTY !== true) return json()
  let prettifier: Prettifier
  try {
    prettifier = await loadPrettifier()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err
    return json()
  }
  return createLogger(level, prettifier({ destination: output, colorize: true }))
}
