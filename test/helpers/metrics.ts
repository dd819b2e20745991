import { call } from './broker.js'

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

const SAMPLE = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g

/** The samples of a Prometheus text exposition; comments are skipped. */
export function parseMetrics (text: string): Sample[] {
  return text.split('\n').flatMap((line) => {
    const match = SAMPLE.exec(line)
    if (match === null || line.startsWith('#')) return []
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(LABEL)]
      .map(([, name, value]) => [name ?? '', value ?? '']))
    return [{ name: match[1] ?? '', labels, value: Number(match[3]) }]
  })
}

/** Every sample of one metric, each as its labels and value. */
export function seriesOf (samples: Sample[], name: string):
Array<Record<string, string | number>> {
  return samples.filter((sample) => sample.name === name)
    .map((sample) => ({ ...sample.labels, value: sample.value }))
}

/** GET /metrics over a real socket, parsed. */
export async function scrape (broker: { url: string }): Promise<Sample[]> {
  const answer = await call(broker.url, 'GET', '/metrics')
  if (answer.status !== 200) throw new Error(`/metrics answered ${answer.status}`)
  return parseMetrics(answer.text)
}
