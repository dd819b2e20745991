import { pino, type Logger, type LoggerOptions } from 'pino'

export type Log = Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>

/**
 * Paths that could hold a secret. The broker never logs them on purpose; the
 * redaction is the net under that rule.
 */
export const REDACT_PATHS = [
  'token', '*.token', 'partnerToken', '*.partnerToken',
  'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization',
  'req.headers.authorization', 'request.headers.authorization', 'body', '*.body'
]

export function loggerOptions (level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: 'unit-token-broker' }
  }
}

export function createLogger (level: string, destination?: pino.DestinationStream): Logger {
  return pino(loggerOptions(level), destination)
}
