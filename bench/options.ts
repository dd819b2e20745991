/** What one bench run does, from the command line and the environment. */
export interface BenchOptions {
  quick: boolean
  /** Measured seconds of each load run. */
  runSeconds: number
  /** Rounds of each side-by-side comparison; medians are reported. */
  rounds: number
  /** Concurrent connections of every load run. */
  connections: number
  /** Seconds of the steady run whose RSS growth is measured. */
  steadySeconds: number
  /** Entries cached for the footprint and scaling parts. */
  entries: number
  /** Keys and requests of the simulated day. */
  dayKeys: number
  dayRequests: number
  /** How long the local Unit stand-in takes to answer, so bursts pile up as they would. */
  unitLatencyMs: number
  burstSizes: number[]
  /** Where the results table is written; none when empty. */
  resultsFile: string
}

function positive (env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name]
  if (value === undefined || value === '') return fallback
  const parsed = Number(value)
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new Error(`${name} must be a whole number above 0, got '${value}'`)
  }
  return parsed
}

/** `--quick` (or BENCH_QUICK=true) shortens everything to a smoke run of a minute or two. */
export function readOptions (argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
  const quick = argv.includes('--quick') || env.BENCH_QUICK === 'true'
  const q = (full: number, short: number): number => quick ? short : full
  return {
    quick,
    runSeconds: positive(env, 'BENCH_RUN_SECONDS', q(8, 2)),
    rounds: positive(env, 'BENCH_ROUNDS', q(5, 1)),
    connections: positive(env, 'BENCH_CONNECTIONS', 50),
    steadySeconds: positive(env, 'BENCH_STEADY_SECONDS', q(600, 10)),
    entries: positive(env, 'BENCH_ENTRIES', q(100_000, 10_000)),
    dayKeys: positive(env, 'BENCH_DAY_KEYS', q(10_000, 1_000)),
    dayRequests: positive(env, 'BENCH_DAY_REQUESTS', q(1_000_000, 50_000)),
    unitLatencyMs: positive(env, 'BENCH_UNIT_LATENCY_MS', 100),
    burstSizes: [100, 1000, 2000],
    resultsFile: env.BENCH_RESULTS_FILE ?? (quick ? '' : 'bench/RESULTS.md')
  }
}
