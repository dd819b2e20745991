import { readFileSync } from 'node:fs'
import t from 'tap'
import { ERROR_CODES } from '../src/errors.js'

t.test('every error code is documented in the README with its status', async (t) => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  for (const [code, { status }] of Object.entries(ERROR_CODES)) {
    t.match(readme, new RegExp(`\\| ${status} \\| \`${code}\` \\|`), code)
  }
})
