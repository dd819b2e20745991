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
  const stage = await startStage(options.unitLatencyMs)
  try {
    const machine = await describeMachine(stage.redis.url)
    step('1. hit path against a bare route')
    const hitPath = await measureHitPath(stage, options)
    step('2. cold bursts')
    const bursts = await measureBursts(stage, options)
    step('3. a simulated day')
    const day = await simulateDay(options)
    step(`4. footprint of ${options.entries} entries, 5. scaling, steady run of ${options.steadySeconds} s`)
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
    for (const target of targets(results)) {
      process.stdout.write(`${target.met ? 'met   ' : 'MISSED'}  ${target.name}: ` +
        `${target.measured} (goal ${target.goal})\n`)
    }
    if (options.resultsFile !== '') {
      const notes = existsSync(NOTES_FILE) ? readFileSync(NOTES_FILE, 'utf8') : ''
      writeFileSync(options.resultsFile, renderResults(results, notes))
      writeFileSync(options.resultsFile.replace(/\.md$/, '.json'), JSON.stringify(results, null, 2) + '\n')
      process.stdout.write(`wrote ${options.resultsFile}\n`)
    }
  } finally {
    await stage.close()
  }
}

function step (name: string): void {
  process.stdout.write(`${name}\n`)
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
