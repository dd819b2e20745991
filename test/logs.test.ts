import { Writable } from 'node:stream'
import t from 'tap'
import { createProcessLogger, type Output } from '../src/log.js'
import { call, postToken } from './helpers/broker.js'
import { ORG_1, setup, until } from './helpers/fixture.js'

/** A stand-in for standard output that keeps what is written. */
function output (isTTY: boolean): Output & { text: () => string } {
  const chunks: string[] = []
  const stream = new Writable({
    write (chunk: Buffer, _encoding, done) { chunks.push(chunk.toString('utf8')); done() }
  })
  return Object.assign(stream, { isTTY, text: () => chunks.join('') })
}

const absent = async (): Promise<never> => {
  throw Object.assign(new Error('Cannot find package'), { code: 'ERR_MODULE_NOT_FOUND' })
}

t.test('each answer logs one JSON line with the caller\'s request id', async (t) => {
  const { broker } = await setup(t)
  const answer = await postToken(broker, { orgId: ORG_1, scopes: ['cards'] })
  t.equal(answer.status, 200)
  const traced = await call(broker.url, 'GET', '/v1/orgs', undefined,
    { 'x-request-id': 'checkout-7f3a' })
  t.equal(traced.headers['x-request-id'], 'checkout-7f3a')

  const lines = broker.logs.map((line) => JSON.parse(line))
  const done = lines.filter((line) => line.msg === 'request completed')
  t.match(done.at(-1), {
    level: 30,
    service: 'unit-token-broker',
    reqId: 'checkout-7f3a',
    req: { method: 'GET', url: '/v1/orgs' },
    res: { statusCode: 200 }
  })
  t.same(lines.filter((line) => line.reqId === 'checkout-7f3a').map((line) => line.msg),
    ['request completed'], 'a plain read is one line, written when it is answered')
})

t.test('a request id that is not sane is replaced by a new one', async (t) => {
  const { broker } = await setup(t)
  const answer = await call(broker.url, 'GET', '/healthz', undefined,
    { 'x-request-id': 'has spaces and "quotes"' })
  t.match(answer.headers['x-request-id'], /^[0-9a-f-]{36}$/)
})

t.test('the process logs JSON when standard output is not a terminal', async (t) => {
  const piped = output(false)
  const logger = await createProcessLogger('info', piped)
  logger.info({ event: 'probe' }, 'hello')
  t.match(JSON.parse(piped.text()), { msg: 'hello', event: 'probe', service: 'unit-token-broker' })
})

t.test('a terminal gets pretty lines when pino-pretty is installed', async (t) => {
  const terminal = output(true)
  const logger = await createProcessLogger('info', terminal)
  logger.info({ event: 'probe' }, 'hello')
  await until(() => terminal.text().includes('hello'), 'the pretty line')
  t.throws(() => JSON.parse(terminal.text()), 'not JSON')
  t.match(terminal.text(), /INFO.*hello/)
})

t.test('a terminal gets JSON when pino-pretty is absent, as in the image', async (t) => {
  const terminal = output(true)
  const logger = await createProcessLogger('info', terminal, absent)
  logger.info('hello')
  t.match(JSON.parse(terminal.text()), { msg: 'hello' })

  const broken = async (): Promise<never> => { throw new Error('a syntax error') }
  await t.rejects(createProcessLogger('info', terminal, broken), /a syntax error/,
    'any other failure to load it is not hidden')
})
