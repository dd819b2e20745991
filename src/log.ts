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
