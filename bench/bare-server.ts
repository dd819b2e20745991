// The bench's bare route: fastify in its own process answering POST /v1/tokens
// with a fixed body of the broker's size, and nothing else. It is the limit
// the broker's hit path is compared with.
import Fastify from 'fastify'

const body = JSON.parse(process.env.BENCH_BARE_BODY ?? '{}') as Record<string, unknown>
const app = Fastify({ logger: false })
app.get('/healthz', async () => ({ status: 'ok' }))
app.post('/v1/tokens', async () => body)
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) })

process.once('SIGTERM', () => { app.close().then(() => process.exit(0), () => process.exit(1)) })
