// npm run bench: starts Redis, the local Unit stand-in and brokers on this
// machine, measures the broker beside a bare route and writes RESULTS.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { measureBursts } from './bursts.js'
import { simulateDay } from './day.js'
import { brokerFootprint, redisFootprint } from './footprint.js'
import { measureHitPath } from './hit-path.js'
import { describeMachine } from './machine.js'
import { readOptions } from './options.js'
import { renderResults, targets, type Results } from './report.js'
import { startStage } from './stage.js'

/** Hand-written notes (profiles, changes and their numbers) kept under the tables. */
const NOTES_FILE = new URL('./NOTES.md', import.meta.url)

async function main (): Promise<void> {
  const options = readOptions(process.argv.slice(2), process.env)
  // `--render FILE.json` writes RESULTS.md again from a run's raw numbers (after a notes change).
  const rendered = process.argv.indexOf('--render')
  if (rendered !== -1) {
    const raw = process.argv[rendered + 1] ?? ''
    report(JSON.parse(readFileSync(raw, 'utf8')) as Results, raw.replace(/\.json$/, '.md'))
    return
  }
  const stage = await startStage(options.unitLatencyMs)
  try {
    const machine = await describeMachine(stage.redis.url)
    step('1. hit path against a bare route')
    const hitPath = await measureHitPath(stage, options)
    step('2. cold bursts')
    const bursts = await measureBursts(stage, options)
    step('3. a simulated day')
    const day = await simulateDay(options)
    step(`4. footprint of ${options.entries} entries, 5. scaling, ` +
      `steady run of ${options.steadySeconds} s`)
    const redis = await redisFootprint(stage, options)
    const broker = await brokerFootprint(stage, options)
    const results: Results = {
      options,
      machine,
      command: ['npm run bench', ...(options.quick ? ['--', '--quick'] : [])].join(' '),
      date: new Date().toISOString(),
      hitPath,
      bursts,
      day,
      redis,
      broker
    }
    if (options.resultsFile !== '') {
      const raw = options.resultsFile.replace(/\.md$/, '.json')
      writeFileSync(raw, JSON.stringify(results, null, 2) + '\n')
    }
    report(results, options.resultsFile)
  } finally {
    await stage.close()
  }
}

/** Prints each target met or missed, and writes the tables when there is a file to write. */
function report (results: Results, file: string): void {
  for (const target of targets(results)) {
    process.stdout.write(`${target.met ? 'met   ' : 'MISSED'}  ${target.name}: ` +
      `${target.measured} (goal ${target.goal})\n`)
  }
  if (file === '') return
  const notes = existsSync(NOTES_FILE) ? readFileSync(NOTES_FILE, 'utf8') : ''
  writeFileSync(file, renderResults(results, notes))
  process.stdout.write(`wrote ${file}\n`)
}

function step (name: string): void {
  process.stdout.write(`${name}\n`)
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
