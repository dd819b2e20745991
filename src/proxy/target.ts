import { BrokerError } from '../errors.js'
import { ID_SEGMENT, matchReadPath, type ReadPath } from './read-paths.js'

/** Where the proxy's routes live; the org id is one URL-encoded segment. */
export const PROXY_PREFIX = '/v1/orgs/'
const UNIT_SEGMENT = 'unit'

/**
 * Far above any read Unit's SDKs make, far below Node's header limit, so that
 * the broker and not the HTTP parser answers an oversized URL.
 */
export const MAX_URL_LENGTH = 4096

/** Printable ASCII without `#`; anything else in a request target is refused. */
const QUERY = /^[\x21-\x22\x24-\x7e]*$/
/** Percent-encoded control characters: once decoded they could split a header or a log line. */
const ENCODED_CONTROL = /%(?:[01][0-9a-f]|7f)/i

export interface ReadTarget {
  /** The row of the read table the path fills. */
  read: ReadPath
  /** The path to ask Unit for, built from checked segments only. */
  path: string
  /** The query string as the caller sent it, without `?`; empty when none. */
  query: string
}

/**
 * Reads the Unit path and query from the raw request target. It looks at the
 * raw URL, not at the router's decoded parameters, so that an encoded slash
 * or dot can never turn into a segment Unit sees.
 */
export function readTarget (rawUrl: string): ReadTarget {
  if (rawUrl.length > MAX_URL_LENGTH) {
    throw invalid(`The URL is longer than ${MAX_URL_LENGTH} characters.`)
  }
  const mark = rawUrl.indexOf('?')
  const rawPath = mark === -1 ? rawUrl : rawUrl.slice(0, mark)
  const query = mark === -1 ? '' : rawUrl.slice(mark + 1)
  const segments = unitSegments(rawPath)

  if (!QUERY.test(query) || ENCODED_CONTROL.test(query)) {
    throw invalid('The query string holds characters that may not be forwarded.')
  }
  const read = matchReadPath(segments)
  if (read === undefined) {
    throw new BrokerError('not_found', 'The broker forwards only the Unit reads in its table.')
  }
  return { read, path: `/${segments.join('/')}`, query }
}

/** The segments after `/v1/orgs/{orgId}/unit/`, each a plain name or id. */
function unitSegments (rawPath: string): string[] {
  // An absolute-form target (`GET http://host/...`) does not start with the prefix.
  if (!rawPath.startsWith(PROXY_PREFIX)) throw invalid('The request target must be a path.')
  const [, marker, ...segments] = rawPath.slice(PROXY_PREFIX.length).split('/')
  if (marker !== UNIT_SEGMENT || segments.length === 0) {
    throw invalid('The Unit path must follow /unit/.')
  }
  if (segments.some((segment) => segment.includes('%'))) {
    throw invalid('The Unit path may not hold percent-encoded characters.')
  }
  if (!segments.every((segment) => ID_SEGMENT.test(segment))) {
    throw invalid('Each segment of the Unit path must be a name or an id: ' +
      'letters, digits, - and _; no empty, dot or encoded segments.')
  }
  return segments
}

function invalid (detail: string): BrokerError {
  return new BrokerError('invalid_request', detail)
}
