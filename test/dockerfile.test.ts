import { ValidationSeverity, validate } from 'dockerfile-utils'
import t from 'tap'
import {
  contextAllowlist, execForm, parseDockerfile, readRepoFile
} from './helpers/dockerfile.js'

const text = readRepoFile('Dockerfile')
const instructions = parseDockerfile(text)
const stages = Math.max(...instructions.map((i) => i.stage)) + 1
const final = instructions.filter((i) => i.stage === stages - 1)
const build = instructions.filter((i) => i.stage === 0)
const runs = (stage: typeof build) => stage.filter((i) => i.keyword === 'RUN').map((i) => i.args)

t.test('the Dockerfile passes the linter with every check an error', async (t) => {
  const strict = Object.fromEntries([
    'deprecatedMaintainer', 'directiveCasing', 'emptyContinuationLine', 'instructionCasing',
    'instructionCmdMultiple', 'instructionEntrypointMultiple', 'instructionHealthcheckMultiple',
    'instructionJSONInSingleQuotes', 'instructionWorkdirRelative'
  ].map((name) => [name, ValidationSeverity.ERROR]))
  t.same(validate(text, strict).map((problem) => problem.message), [])
})

t.test('it builds with the commands the tests run, on the current LTS', async (t) => {
  t.equal(stages, 2)
  for (const from of instructions.filter((i) => i.keyword === 'FROM')) {
    t.match(from.args, /^node:24-(slim|alpine)\b/, 'Node.js 24, a small image')
  }
  t.same(runs(build), ['npm ci --no-audit --no-fund', 'npm run build'])
})

t.test('the final stage has production dependencies and the build only', async (t) => {
  t.same(runs(final), ['npm ci --omit=dev --no-audit --no-fund && npm cache clean --force'])
  const copies = final.filter((i) => i.keyword === 'COPY').map((i) => i.args)
  t.same(copies, ['package.json package-lock.json ./', '--from=build /app/dist ./dist'])
})

t.test('it runs the broker as a non-root user, listening on all addresses', async (t) => {
  const user = final.find((i) => i.keyword === 'USER')?.args ?? 'root'
  t.notMatch(user, /^(root|0)(:|$)/)
  t.match(final.find((i) => i.keyword === 'ENV')?.args, /\bHOST=0\.0\.0\.0\b/)
  t.equal(final.find((i) => i.keyword === 'EXPOSE')?.args, '8080')
  t.same(execForm(final.find((i) => i.keyword === 'CMD')), ['node', 'dist/server.js'])
  const check = execForm(final.find((i) => i.keyword === 'HEALTHCHECK'))
  t.same(check.slice(0, 2), ['node', '-e'], 'the health check needs nothing but node')
  t.match(check[2], /\/healthz/)
})

t.test('the build context holds what the Dockerfile copies and nothing else', async (t) => {
  const allowed = contextAllowlist(readRepoFile('.dockerignore'))
  t.same(allowed.sort(), [
    'package-lock.json', 'package.json', 'src', 'tsconfig.build.json', 'tsconfig.json'
  ])
  const copied = instructions
    .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))
    .flatMap((i) => i.args.split(/\s+/).slice(0, -1))
  for (const source of copied) t.ok(allowed.includes(source), `${source} is in the context`)
})
