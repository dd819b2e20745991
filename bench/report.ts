import type { BurstResult } from './bursts.js'
import { DAY_SETTINGS, type DayResult } from './day.js'
import type { BrokerFootprint, RedisFootprint } from './footprint.js'
import type { HitPathResult } from './hit-path.js'
import type { LoadResult } from './load.js'
import type { Machine } from './machine.js'
import type { BenchOptions } from './options.js'

export interface Results {
  options: BenchOptions
  machine: Machine
  command: string
  date: string
  hitPath: HitPathResult
  bursts: BurstResult[]
  day: DayResult
  redis: RedisFootprint
  broker: BrokerFootprint
}

export interface Target {
  name: string
  goal: string
  measured: string
  met: boolean
}

const fixed = (value: number, digits = 2): string => value.toFixed(digits)
const whole = (value: number): string => Math.round(value).toLocaleString('en-US')
const mib = (bytes: number): string => `${fixed(bytes / 2 ** 20, 1)} MiB`

/** Every target of the bench, each with what this run measured. */
export function targets (results: Results): Target[] {
  const { bare, tiered, redisOnly } = results.hitPath.medians
  const ratio = (a?: LoadResult, b?: LoadResult, field: keyof LoadResult = 'requestsPerSecond'):
  number => (a?.[field] ?? 0) / Math.max(b?.[field] ?? 0, 1e-9)
  const { day, redis, broker } = results
  const { before, after } = steadyRss(broker)
  const growth = after / before - 1
  const perEntry = redis.entryBytes + redis.generationBytes
  const scalingRuns = Object.values(broker.scaling.medians).map((run) => run.requestsPerSecond)
  const flatness = Math.min(...scalingRuns) / Math.max(...scalingRuns)
  const worstBurst = Math.max(...results.bursts.map((burst) => burst.unitMints))
  const fewestBurst = Math.min(...results.bursts.map((burst) => burst.unitMints))
  return [
    {
      name: 'hit throughput, in-process tier',
      goal: '≥ 0.90 × bare',
      measured: `${fixed(ratio(tiered, bare))} × (${whole(tiered?.requestsPerSecond ?? 0)} vs ` +
        `${whole(bare?.requestsPerSecond ?? 0)} req/s)`,
      met: ratio(tiered, bare) >= 0.9
    },
    {
      name: 'hit throughput, Redis only',
      goal: '≥ 0.80 × bare',
      measured: `${fixed(ratio(redisOnly, bare))} × ` +
        `(${whole(redisOnly?.requestsPerSecond ?? 0)} req/s)`,
      met: ratio(redisOnly, bare) >= 0.8
    },
    {
      name: 'hit p99, in-process tier',
      goal: '≤ 1.5 × bare',
      measured: `${fixed(ratio(tiered, bare, 'p99Ms'))} × (${fixed(tiered?.p99Ms ?? 0, 1)} vs ` +
        `${fixed(bare?.p99Ms ?? 0, 1)} ms)`,
      met: ratio(tiered, bare, 'p99Ms') <= 1.5
    },
    {
      name: 'hit p99, Redis only',
      goal: '≤ 1.5 × bare',
      measured: `${fixed(ratio(redisOnly, bare, 'p99Ms'))} × ` +
        `(${fixed(redisOnly?.p99Ms ?? 0, 1)} ms)`,
      met: ratio(redisOnly, bare, 'p99Ms') <= 1.5
    },
    {
      name: 'calls to Unit per cold burst',
      goal: 'exactly 1',
      measured: fewestBurst === worstBurst
        ? `${worstBurst} in every burst`
        : `${fewestBurst} to ${worstBurst}`,
      met: fewestBurst === 1 && worstBurst === 1
    },
    {
      name: 'mints per key per lifetime (all keys)',
      goal: '≤ 1.02',
      measured: fixed(day.mintsPerKeyPerLifetime),
      met: day.mintsPerKeyPerLifetime <= 1.02
    },
    {
      name: 'mints per key per lifetime (busiest key, asked all day)',
      goal: '≤ 1.02',
      measured: `${fixed(day.hottestMintsPerLifetime)} ` +
        `(${fixed(day.hotMintsPerKeyPerRenewalPeriod)} per renewal period, top 100)`,
      met: day.hottestMintsPerLifetime <= 1.02
    },
    {
      name: 'renewals in the busiest minute',
      goal: `≤ ${DAY_SETTINGS.renewalsPerMinute} (the configured share)`,
      measured: whole(day.peakRenewalsPerMinute),
      met: day.peakRenewalsPerMinute <= DAY_SETTINGS.renewalsPerMinute
    },
    {
      name: 'calls to Unit in the busiest minute',
      goal: '≤ 1,000',
      measured: whole(day.peakCallsPerMinute),
      met: day.peakCallsPerMinute <= 1000
    },
    {
      name: 'requests served a token below their need',
      goal: '0',
      measured: whole(day.servedBelowNeed),
      met: day.servedBelowNeed === 0
    },
    {
      name: 'Redis per entry (entry + generation counter)',
      goal: '≤ 512 bytes',
      measured: `${perEntry} bytes (${redis.entryBytes} + ${redis.generationBytes})`,
      met: perEntry <= 512
    },
    {
      name: `RSS growth over the ${results.broker.steadySeconds} s steady run`,
      goal: '< 5 %',
      measured: `${fixed(growth * 100, 1)} % (${mib(before)} → ${mib(after)})`,
      met: growth < 0.05
    },
    {
      name: `hit throughput from 1k to ${whole(broker.entries)} entries`,
      goal: 'flat (slowest ≥ 0.90 × fastest)',
      measured: fixed(flatness),
      met: flatness >= 0.9
    }
  ]
}

/**
 * RSS after the first tenth of the steady run and at its end. The first
 * tenth is the heap growing to the load (the broker was idle just before);
 * growth after it is what a leak would show.
 */
export function steadyRss (broker: BrokerFootprint): { before: number, after: number } {
  const loaded = broker.steadySamples.slice(1)
  return { before: loaded[0] ?? 0, after: loaded[loaded.length - 1] ?? 0 }
}

export function targetTable (list: Target[]): string {
  return table(['target', 'goal', 'measured', ''],
    list.map((target) =>
      [target.name, target.goal, target.measured, target.met ? 'met' : 'MISSED']))
}

function table (head: string[], rows: string[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`)
  ].join('\n')
}

function loadRows (medians: Record<string, LoadResult>, base?: LoadResult): string[][] {
  return Object.entries(medians).map(([name, run]) => [
    name,
    whole(run.requestsPerSecond),
    fixed(run.p50Ms, 1),
    fixed(run.p99Ms, 1),
    base === undefined ? '' : fixed(run.requestsPerSecond / base.requestsPerSecond),
    base === undefined ? '' : fixed(run.p99Ms / Math.max(base.p99Ms, 1e-9)),
    whole(run.failures)
  ])
}

const LOAD_HEAD = ['server', 'req/s', 'p50 ms', 'p99 ms', 'req/s ÷ first', 'p99 ÷ first', 'failed']

/** RESULTS.md: the machine, the command, the targets and a table per part. */
export function renderResults (results: Results, notes: string): string {
  const { machine, options, hitPath, day, redis, broker } = results
  const packages = Object.entries(machine.packages).map(([name, version]) => `${name} ${version}`)
  return `# Benchmark results

Written by \`npm run bench\` (see [Benchmarks](../README.md#benchmarks)); every
number below comes from one run, and the comparisons are ratios within it.

- Date: ${results.date}
- Command: \`${results.command}\`
- Machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB RAM
- Node.js ${machine.node}, Redis ${machine.redis}; ${packages.join(', ')}
- Load: ${options.connections} connections, ${options.rounds} rounds of ${
  options.runSeconds} s per server, order turning each round, medians shown

## Targets

${targetTable(targets(results))}

## 1. Hit path against a bare route

\`POST /v1/tokens\` answered from the cache, beside a bare fastify route in
its own process answering a ${hitPath.bodyBytes}-byte body (the broker's
answer) to the same request. \`tiered\` keeps entries in memory in front of
Redis (the default); \`redisOnly\` has \`MEMORY_CACHE_ENTRIES=0\`, so every hit
reads Redis. Both count callers' requests in Redis, as every broker with
Redis does.

${table(LOAD_HEAD, loadRows(hitPath.medians, hitPath.medians.bare))}

Every round (req/s):

${table(['round', ...Object.keys(hitPath.medians)], hitPath.rounds.map((round, i) =>
  [String(i + 1), ...Object.keys(hitPath.medians)
    .map((name) => whole(round[name]?.requestsPerSecond ?? 0))]))}

## 2. Upstream amplification

Cold bursts of concurrent requests for one entry, spread evenly over the
replicas, which share one Redis. The stand-in answers after ${options.unitLatencyMs} ms.

${table(['replicas', 'requests', 'mint calls to Unit', 'org list calls', '200 answers',
  'failed', 'burst took'],
  results.bursts.map((burst) => [String(burst.replicas), whole(burst.size), String(burst.unitMints),
    String(burst.unitOrgLists), whole(burst.ok), whole(burst.failed),
    `${whole(burst.wallMs)} ms`]))}

## 3. A simulated day

${whole(day.keys)} keys, ${whole(day.requests)} requests over 24 hours on a stepped clock
(busiest at 14:00, a fifth as busy at 02:00), keys drawn with Zipf exponent
${DAY_SETTINGS.zipfExponent}; every fifth key needs ${
  DAY_SETTINGS.longNeedSeconds} s of life. Tokens live
${DAY_SETTINGS.lifetimeSeconds} s, are renewed after ${DAY_SETTINGS.refreshAfter} of it, at most
${DAY_SETTINGS.renewalsPerMinute} renewals a minute; Unit answers in ${options.unitLatencyMs} ms.
A key's lifetimes are the token lifetimes its demand spanned, from its first
request to its last (at least one).

${table(['measure', 'value'], [
  ['keys asked for', whole(day.keysRequested)],
  ['mints (miss / stale / renewal)', `${whole(day.mints)} (${whole(day.mintsByReason.miss)} / ` +
    `${whole(day.mintsByReason.stale)} / ${whole(day.mintsByReason.renewal)})`],
  ['mints per key per lifetime: all keys', fixed(day.mintsPerKeyPerLifetime)],
  ['mints per key per lifetime: 100 busiest keys', fixed(day.hotMintsPerKeyPerLifetime)],
  ['mints per lifetime: busiest key', fixed(day.hottestMintsPerLifetime)],
  ['mints per key per renewal period: all / 100 busiest',
    `${fixed(day.mintsPerKeyPerRenewalPeriod)} / ${fixed(day.hotMintsPerKeyPerRenewalPeriod)}`],
  ['calls to Unit in the busiest minute',
    `${whole(day.peakCallsPerMinute)} (minute ${day.peakCallsMinute})`],
  ['renewals in the busiest minute', whole(day.peakRenewalsPerMinute)],
  ['requests served below their need', whole(day.servedBelowNeed)],
  ['failed requests', whole(day.failedRequests)],
  ['simulation took', `${fixed(day.wallSeconds, 1)} s`]
])}

## 4. Footprint

${table(['measure', 'value'], [
  ['Redis MEMORY USAGE of an entry (one string, median)', `${redis.entryBytes} bytes`],
  ['Redis MEMORY USAGE of its generation counter', `${redis.generationBytes} bytes`],
  ['the entry\'s string / the sealed token in it',
    `${redis.valueBytes} / ${redis.sealedTokenBytes} bytes`],
  [`Redis used_memory growth per entry (${whole(redis.entries)} entries)`,
    `${fixed(redis.usedMemoryPerEntry, 0)} bytes`],
  ['broker RSS, empty', mib(broker.rssEmpty)],
  [`broker RSS, ${whole(broker.entries)} entries in its in-process tier`, mib(broker.rssFull)],
  [`broker RSS idle / after the first tenth / at the end of ${broker.steadySeconds} s of ` +
    'steady hits', `${mib(broker.rssBeforeSteady)} / ${mib(steadyRss(broker).before)} / ` +
    `${mib(steadyRss(broker).after)}`],
  ['steady run', `${whole(broker.steadyLoad.requestsPerSecond)} req/s, ` +
    `${whole(broker.steadyLoad.requests)} requests, ${whole(broker.steadyLoad.failures)} failed`],
  ['RSS through the steady run, every tenth',
    broker.steadySamples.map((bytes) => fixed(bytes / 2 ** 20, 0)).join(', ') + ' MiB']
])}

## 5. Hit throughput by entries cached

One two-tier broker holding every entry in its in-process tier; each run
asks for keys drawn evenly from the first N entries.

${table(LOAD_HEAD, loadRows(broker.scaling.medians, Object.values(broker.scaling.medians)[0]))}
${notes === '' ? '' : `\n${notes.trim()}\n`}`
}
