import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Deployment } from 'kubernetes-models/apps/v1/Deployment'
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap'
import { Secret } from 'kubernetes-models/v1/Secret'
import { Service } from 'kubernetes-models/v1/Service'
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget'
import t from 'tap'
import { parseAllDocuments } from 'yaml'
import { loadConfig } from '../src/config/config.js'

const DIR = new URL('../deploy/kubernetes/', import.meta.url)
const read = (name: string): string => readFileSync(new URL(name, DIR), 'utf8')

// any: the test walks into the manifests' nested objects by name.
type Manifest = any
const kustomization: Manifest = parseAllDocuments(read('kustomization.yaml'))[0]?.toJS()
// The Secrets and the callers are created apart; their example files are checked with the rest.
const manifests: Manifest[] = [...(kustomization.resources as string[]), 'secret.yaml', 'callers.yaml']
  .flatMap((file) => parseAllDocuments(read(file)).map((document) => document.toJS()))
const byKind = (kind: string): Manifest => manifests.find((m) => m.kind === kind)
const byName = (name: string): Manifest => manifests.find((m) => m.metadata.name === name)

const deployment = byKind('Deployment')
const pod = deployment.spec.template.spec
const container = pod.containers[0]

/** The model classes check each manifest against Kubernetes' own schemas. */
const MODELS: Record<string, new (data: Manifest) => { validate: () => void }> = {
  'apps/v1 Deployment': Deployment,
  'v1 ConfigMap': ConfigMap,
  'v1 Secret': Secret,
  'v1 Service': Service,
  'policy/v1 PodDisruptionBudget': PodDisruptionBudget
}

t.test('applying the kustomization never replaces the real secrets', async (t) => {
  const applied = kustomization.resources as string[]
  t.notOk(applied.includes('secret.yaml'))
  t.notOk(applied.includes('callers.yaml'))
})

t.test('every manifest is valid against the Kubernetes schemas', async (t) => {
  t.same(manifests.map((m) => m.kind).sort(),
    ['ConfigMap', 'ConfigMap', 'Deployment', 'PodDisruptionBudget', 'Secret', 'Secret',
      'Service'])
  for (const manifest of manifests) {
    const Model = MODELS[`${manifest.apiVersion as string} ${manifest.kind as string}`]
    if (Model === undefined) throw new Error(`no model for ${manifest.kind as string}`)
    t.doesNotThrow(() => new Model(manifest).validate(), manifest.kind)
  }
  const broken = { ...deployment, spec: { ...deployment.spec, replicas: '3' } }
  t.throws(() => new Deployment(broken).validate(), /replicas must be integer/,
    'the validator does reject a wrong manifest')
})

t.test('three replicas, probed, bounded and unprivileged', async (t) => {
  t.equal(deployment.spec.replicas, 3)
  t.match(container.readinessProbe, { httpGet: { path: '/readyz', port: 'http' } })
  t.match(container.livenessProbe, { httpGet: { path: '/healthz', port: 'http' } })
  t.same(container.ports, [{ name: 'http', containerPort: 8080 }])
  t.match(container.resources, {
    requests: { cpu: String, memory: String }, limits: { cpu: String, memory: String }
  })
  t.match(pod.securityContext, { runAsNonRoot: true, runAsUser: 1000 })
  t.same(container.securityContext, {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] }
  })
  t.equal(pod.automountServiceAccountToken, false)
})

t.test('the partner token is a Secret mounted as a file', async (t) => {
  const env = Object.fromEntries(container.env.map((e: Manifest) => [e.name, e.value]))
  const mount = container.volumeMounts.find((m: Manifest) => m.name === 'partner-token')
  t.equal(mount.readOnly, true)
  const volume = pod.volumes.find((v: Manifest) => v.name === 'partner-token')
  const secret = byKind('Secret')
  t.equal(volume.secret.secretName, secret.metadata.name)
  const key = Object.keys(secret.stringData)[0]
  t.equal(env.UNIT_PARTNER_TOKEN_FILE, `${mount.mountPath as string}/${key ?? ''}`)
  t.notOk('UNIT_PARTNER_TOKEN' in env)
})

t.test('the configuration is one the broker starts with, Redis included', async (t) => {
  const configMap = byKind('ConfigMap')
  t.same(container.envFrom, [{ configMapRef: { name: configMap.metadata.name } }])
  const dir = t.testdir()
  const files = {
    UNIT_PARTNER_TOKEN_FILE: [byName('unit-token-broker-partner-token').stringData['partner-token']],
    TOKEN_ENCRYPTION_KEY_FILE: [byName('unit-token-broker-encryption-key').stringData.keys],
    BROKER_CALLERS_FILE: [byName('unit-token-broker-callers').data['callers.json']]
  }
  const mounted = Object.fromEntries(Object.entries(files).map(([name, [text]]) => {
    writeFileSync(join(dir, name), String(text))
    return [name, join(dir, name)]
  }))
  const env = Object.fromEntries(container.env.map((e: Manifest) => [e.name, e.value]))
  for (const name of Object.keys(files)) t.ok(env[name], `${name} names a mounted file`)
  const config = loadConfig({ ...configMap.data, ...env, ...mounted })
  t.equal(config.keyRing?.sealing.id, 'k1')
  t.equal(config.host, '0.0.0.0')
  t.equal(config.redisUrl?.protocol, 'redis:')
  t.same(pod.containers.map((c: Manifest) => c.image), ['unit-token-broker:0.1.0'],
    'the manifests run the broker only, not Redis')
})

t.test('the Service and the budget select the broker\'s pods', async (t) => {
  const labels = deployment.spec.template.metadata.labels
  const service = byKind('Service')
  t.same(service.spec.selector, labels)
  t.same(service.spec.ports, [{ name: 'http', port: 80, targetPort: 'http' }])
  t.same(byKind('PodDisruptionBudget').spec.selector.matchLabels, labels)
  t.same(deployment.spec.selector.matchLabels, labels)
})
