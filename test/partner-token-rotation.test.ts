import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { call, postToken, secretsDir, type Answer } from './helpers/broker.js'
import { canaryPartnerToken, ORG_1, setup, until } from './helpers/fixture.js'

t.test('a new partner token file is used without a restart or a failed request', async (t) => {
  const file = join(secretsDir(t), 'partner-token')
  const first = canaryPartnerToken()
  writeFileSync(file, `${first}\n`)
  const rotating = await setup(t, { UNIT_PARTNER_TOKEN_FILE: file }, first)
  const next = canaryPartnerToken()

  // Each round drops the entry first, so every request costs a mint.
  const failures: Answer[] = []
  const state = { running: true, rounds: 0 }
  const body = (scopes: string) => ({ orgId: ORG_1, scopes })
  const load = async (scopes: string): Promise<void> => {
    while (state.running) {
      await call(rotating.broker.url, 'POST', '/v1/tokens/invalidate', body(scopes))
      const answer = await postToken(rotating.broker, body(scopes))
        .catch((err: unknown) => ({ status: 0, text: String(err) }) as Answer)
      if (answer.status !== 200) failures.push(answer)
      state.rounds++
    }
  }
  const workers = ['cards', 'customers', 'accounts'].map(load)

  rotating.sandbox.setPartnerTokens([rotating.partnerToken, next])
  writeFileSync(file, `${next}\n`)
  await until(() => rotating.broker.logs.some((line) =>
    line.includes('"event":"secret_reloaded"')), 'the reload')
  rotating.sandbox.setPartnerTokens([next])
  const revokedAt = state.rounds
  await until(() => state.rounds > revokedAt + 30, 'mints with the new token')
  state.running = false
  await Promise.all(workers)

  t.same(failures.map((answer) => answer.text), [], 'no request failed')
  t.ok(rotating.sandbox.count('mint') > 30)
  t.equal((await call(rotating.broker.url, 'GET', '/readyz')).status, 200)
  t.notOk(rotating.broker.logs.some((line) => line.includes(next)), 'the new token is not logged')
})

t.test('an unusable new partner token file keeps the token in use', async (t) => {
  const file = join(secretsDir(t), 'partner-token')
  const first = canaryPartnerToken()
  writeFileSync(file, first)
  const { broker } = await setup(t, { UNIT_PARTNER_TOKEN_FILE: file }, first)
  writeFileSync(file, 'two words\n')
  broker.broker.secrets.reload()
  const failed = broker.logs.find((line) => line.includes('"event":"secret_reload_failed"'))
  t.match(failed, /"variable":"UNIT_PARTNER_TOKEN_FILE"/)
  t.notMatch(failed, /two words/)
  t.equal((await postToken(broker, { orgId: ORG_1, scopes: 'cards' })).status, 200)
})
