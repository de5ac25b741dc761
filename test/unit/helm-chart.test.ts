// The Helm chart as `helm template` renders it: every value documented in values.yaml (and the chart's README table)
// is set here and what it produces is checked; the schema refuses typos and wrong types; names follow the release, so
// two releases never share an object. Runs the pinned helm ($TESTBED_HELM).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { REPO } from '../support/testbed.ts';

const CHART = join(REPO, 'deploy/helm/dynamodb-restore-operator');
const KUBE_VERSION = 'v1.36.3';

type Labels = Record<string, string>;
interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Labels; annotations?: Labels };
  spec?: unknown;
  subjects?: unknown;
}
interface Container {
  image: string;
  imagePullPolicy: string;
  args?: string[];
  env: Array<{ name: string; value?: string }>;
  resources: unknown;
}
interface PodTemplate {
  metadata: { labels: Labels; annotations?: Labels };
  spec: Record<'imagePullSecrets' | 'nodeSelector' | 'tolerations' | 'affinity' | 'topologySpreadConstraints' | 'volumes', unknown> & {
    serviceAccountName: string;
    priorityClassName?: string;
    containers: Container[];
  };
}
interface DeploymentSpec {
  replicas: number;
  selector: { matchLabels: Labels };
  template: PodTemplate;
}
interface ServiceMonitorSpec {
  selector: { matchLabels: Labels };
  endpoints: Array<{ tlsConfig: unknown }>;
}

const dir = mkdtempSync(join(tmpdir(), 'helm-chart-test-'));
let files = 0;

/** helm template with these values (as a values file, so maps and lists go in as written). */
function render(values: object = {}, { release = 'dynamodb-restore-operator', namespace = 'ops', kubeVersion = KUBE_VERSION } = {}): Obj[] {
  const file = join(dir, `values-${files++}.json`);
  writeFileSync(file, JSON.stringify(values));
  const out = execFileSync(process.env.TESTBED_HELM ?? 'helm', ['template', release, CHART, '--namespace', namespace, '--kube-version', kubeVersion, '-f', file], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parseAllDocuments(out).map((d) => d.toJS() as Obj | null).filter((o): o is Obj => o !== null);
}

/** helm's error for values it refuses. */
function refusal(values: object, kubeVersion = KUBE_VERSION): string {
  try {
    render(values, { kubeVersion });
  } catch (err) {
    return String((err as { stderr?: string }).stderr);
  }
  assert.fail('helm rendered values it should refuse');
}

const find = (objects: Obj[], kind: string, name?: string) => {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  assert.ok(found, `${kind} ${name ?? ''}`);
  return found;
};
const specOf = <T>(objects: Obj[], kind: string, name?: string) => find(objects, kind, name).spec as T;
const pod = (objects: Obj[]) => specOf<DeploymentSpec>(objects, 'Deployment').template;
const container = (objects: Obj[]) => pod(objects).spec.containers[0] ?? assert.fail('no container');
const env = (objects: Obj[]) => Object.fromEntries(container(objects).env.map((e) => [e.name, e.value]));

/** Each documented value, what it is set to, and what that renders. */
const CASES: Array<{ paths: string[]; title: string; values: object; check: (objects: Obj[]) => void }> = [
  {
    paths: ['nameOverride'],
    title: 'nameOverride replaces the chart\'s part of the object names and the name label',
    values: { nameOverride: 'ddbr' },
    check: (o) => {
      assert.equal(find(o, 'Deployment').metadata.name, 'dynamodb-restore-operator-ddbr');
      assert.equal(pod(o).metadata.labels['app.kubernetes.io/name'], 'ddbr');
    },
  },
  {
    paths: ['fullnameOverride'],
    title: 'fullnameOverride names every object, cluster-scoped ones, the binding\'s policy, the ServiceAccount and the Lease',
    values: { fullnameOverride: 'restores' },
    check: (o) => {
      for (const [kind, name] of [
        ['Deployment', 'restores'],
        ['ServiceAccount', 'restores'],
        ['ClusterRole', 'restores'],
        ['ClusterRole', 'restores-policies'],
        ['ClusterRole', 'restores-metrics-reader'],
        ['Service', 'restores-metrics'],
        ['Role', 'restores-leader-election'],
        ['ValidatingAdmissionPolicy', 'restores-policy'],
      ] as const) {
        find(o, kind, name);
      }
      assert.equal(specOf<{ policyName: string }>(o, 'ValidatingAdmissionPolicyBinding').policyName, 'restores-policy');
      assert.deepEqual(find(o, 'ClusterRoleBinding', 'restores').subjects, [{ kind: 'ServiceAccount', name: 'restores', namespace: 'ops' }]);
      assert.equal(pod(o).spec.serviceAccountName, 'restores');
      assert.equal(env(o).LEADER_ELECTION_ID, 'restores');
    },
  },
  {
    paths: ['image.repository', 'image.tag', 'image.pullPolicy'],
    title: 'image.repository, tag and pullPolicy make the container\'s image and pull policy; the tag is the version label',
    values: { image: { repository: 'registry.example/ddbr', tag: 'v9.9.9', pullPolicy: 'Always' } },
    check: (o) => {
      assert.equal(container(o).image, 'registry.example/ddbr:v9.9.9');
      assert.equal(container(o).imagePullPolicy, 'Always');
      assert.equal(find(o, 'Deployment').metadata.labels?.['app.kubernetes.io/version'], 'v9.9.9');
    },
  },
  {
    paths: ['image.digest'],
    title: 'image.digest pulls the image by digest',
    values: { image: { digest: `sha256:${'a'.repeat(64)}` } },
    check: (o) => assert.equal(container(o).image, `ghcr.io/dynamodb-restore/dynamodb-restore-operator@sha256:${'a'.repeat(64)}`),
  },
  {
    paths: ['imagePullSecrets'],
    title: 'imagePullSecrets reach the pod',
    values: { imagePullSecrets: [{ name: 'regcred' }] },
    check: (o) => assert.deepEqual(pod(o).spec.imagePullSecrets, [{ name: 'regcred' }]),
  },
  {
    paths: ['replicaCount', 'podDisruptionBudget.enabled'],
    title: 'replicaCount sets the replicas; with more than one, the budget is maxUnavailable 1 over the chart\'s selector',
    values: { replicaCount: 3, podDisruptionBudget: { enabled: true } },
    check: (o) => {
      assert.equal(specOf<DeploymentSpec>(o, 'Deployment').replicas, 3);
      assert.deepEqual(find(o, 'PodDisruptionBudget').spec, {
        maxUnavailable: 1,
        selector: { matchLabels: { 'app.kubernetes.io/name': 'dynamodb-restore-operator', 'app.kubernetes.io/instance': 'dynamodb-restore-operator' } },
      });
    },
  },
  {
    paths: ['region', 'clusterName', 'allowUngovernedNamespaces', 'maxConcurrentReconciles', 'maxRestoresInProgress', 'awsCallsPerSecond', 'scheduleMinIntervalSeconds', 'logLevel', 'metrics.namespaceLabels'],
    title: 'the operator\'s settings become exactly these environment variables',
    values: { region: 'eu-west-1', clusterName: 'prod-eu', allowUngovernedNamespaces: true, maxConcurrentReconciles: 4, maxRestoresInProgress: 20, awsCallsPerSecond: 0, scheduleMinIntervalSeconds: 3600, logLevel: 'debug', metrics: { namespaceLabels: 5 } },
    check: (o) =>
      assert.deepEqual(
        { ...env(o), POD_NAME: undefined, LEADER_ELECTION_NAMESPACE: undefined },
        {
          POD_NAME: undefined,
          LEADER_ELECTION_NAMESPACE: undefined,
          LEADER_ELECTION_ID: 'dynamodb-restore-operator',
          AWS_REGION: 'eu-west-1',
          CLUSTER_NAME: 'prod-eu',
          ALLOW_UNGOVERNED_NAMESPACES: 'true',
          WATCH_NAMESPACES: '',
          MAX_CONCURRENT_RECONCILES: '4',
          MAX_RESTORES_IN_PROGRESS: '20',
          AWS_CALLS_PER_SECOND: '0',
          SCHEDULE_MIN_INTERVAL_SECONDS: '3600',
          METRICS_NAMESPACE_LABELS: '5',
          LOG_LEVEL: 'debug',
        },
      ),
  },
  {
    paths: ['watchNamespaces'],
    title: 'watchNamespaces sets WATCH_NAMESPACES and grants a Role in each namespace instead of the ClusterRole',
    values: { watchNamespaces: ['team-a', 'team-b'] },
    check: (o) => {
      assert.equal(env(o).WATCH_NAMESPACES, 'team-a,team-b');
      assert.deepEqual(o.filter((x) => x.kind === 'Role' && x.metadata.name === 'dynamodb-restore-operator').map((x) => x.metadata.namespace), ['team-a', 'team-b']);
      assert.equal(o.filter((x) => x.kind === 'ClusterRole' && x.metadata.name === 'dynamodb-restore-operator').length, 0);
    },
  },
  {
    paths: ['extraEnv', 'extraArgs'],
    title: 'extraEnv comes after the chart\'s variables; extraArgs become the container\'s args',
    values: { extraEnv: [{ name: 'POLL_MAX_SECONDS', value: '60' }], extraArgs: ['--resync-period-seconds=300'] },
    check: (o) => {
      assert.deepEqual(container(o).env.at(-1), { name: 'POLL_MAX_SECONDS', value: '60' });
      assert.deepEqual(container(o).args, ['--resync-period-seconds=300']);
    },
  },
  {
    paths: ['metrics.certSecret'],
    title: 'metrics.certSecret is mounted and named by METRICS_CERT_DIR',
    values: { metrics: { certSecret: 'ddbr-metrics-tls' } },
    check: (o) => {
      assert.equal(env(o).METRICS_CERT_DIR, '/var/run/metrics-certs');
      assert.deepEqual(pod(o).spec.volumes, [{ name: 'metrics-certs', secret: { secretName: 'ddbr-metrics-tls' } }]);
    },
  },
  {
    paths: ['metrics.serviceMonitor.enabled', 'metrics.serviceMonitor.interval', 'metrics.serviceMonitor.labels', 'metrics.serviceMonitor.tlsConfig'],
    title: 'metrics.serviceMonitor renders a ServiceMonitor of the metrics Service with honorLabels, its interval, labels and TLS settings (insecureSkipVerify when unset)',
    values: { metrics: { serviceMonitor: { enabled: true, interval: '1m', labels: { release: 'kube-prometheus-stack' }, tlsConfig: { serverName: 'ddbr.ops.svc' } } } },
    check: (o) => {
      const monitor = find(o, 'ServiceMonitor', 'dynamodb-restore-operator');
      assert.equal(monitor.metadata.namespace, 'ops');
      assert.equal(monitor.metadata.labels?.release, 'kube-prometheus-stack');
      assert.deepEqual(monitor.spec, {
        selector: { matchLabels: { 'app.kubernetes.io/name': 'dynamodb-restore-operator', 'app.kubernetes.io/instance': 'dynamodb-restore-operator' } },
        endpoints: [
          {
            port: 'https-metrics',
            path: '/metrics',
            scheme: 'https',
            interval: '1m',
            honorLabels: true,
            bearerTokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token',
            tlsConfig: { serverName: 'ddbr.ops.svc' },
          },
        ],
      });
      // The Service it selects carries those labels and that port.
      const service = find(o, 'Service');
      for (const [k, v] of Object.entries((monitor.spec as ServiceMonitorSpec).selector.matchLabels)) assert.equal(service.metadata.labels?.[k], v);
      assert.deepEqual((service.spec as { ports: Array<{ name: string }> }).ports.map((p) => p.name), ['https-metrics']);
      // Unset, the self-signed certificate is not verified.
      assert.deepEqual(specOf<ServiceMonitorSpec>(render({ metrics: { serviceMonitor: { enabled: true } } }), 'ServiceMonitor').endpoints[0]?.tlsConfig, { insecureSkipVerify: true });
    },
  },
  {
    paths: ['metrics.prometheusRule.enabled', 'metrics.prometheusRule.labels'],
    title: 'metrics.prometheusRule renders the groups of deploy/prometheus/alerts.yaml unchanged, with its labels',
    values: { metrics: { prometheusRule: { enabled: true, labels: { role: 'alert-rules' } } } },
    check: (o) => {
      const rule = find(o, 'PrometheusRule', 'dynamodb-restore-operator');
      assert.equal(rule.metadata.labels?.role, 'alert-rules');
      // The very groups promtool tests, {{ $labels }} templates left for Prometheus.
      assert.deepEqual((rule.spec as { groups: unknown }).groups, (parse(readFileSync(join(REPO, 'deploy/prometheus/alerts.yaml'), 'utf8')) as { groups: unknown }).groups);
      assert.match(JSON.stringify(rule.spec), /\{\{ \$labels\.namespace \}\}/);
    },
  },
  {
    paths: ['serviceAccount.annotations'],
    title: 'serviceAccount.annotations annotate the ServiceAccount (IRSA)',
    values: { serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/ddbr' } } },
    check: (o) => assert.deepEqual(find(o, 'ServiceAccount').metadata.annotations, { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/ddbr' }),
  },
  {
    paths: ['podAnnotations', 'podLabels'],
    title: 'podAnnotations and podLabels reach the pod template; the selector stays the chart\'s',
    values: { podAnnotations: { 'example.com/team': 'platform' }, podLabels: { team: 'platform' } },
    check: (o) => {
      assert.deepEqual(pod(o).metadata.annotations, { 'example.com/team': 'platform' });
      assert.deepEqual(pod(o).metadata.labels, { 'app.kubernetes.io/name': 'dynamodb-restore-operator', 'app.kubernetes.io/instance': 'dynamodb-restore-operator', team: 'platform' });
      // The selector stays the chart's own: a pod label never changes what the Deployment owns.
      assert.deepEqual(specOf<DeploymentSpec>(o, 'Deployment').selector.matchLabels, { 'app.kubernetes.io/name': 'dynamodb-restore-operator', 'app.kubernetes.io/instance': 'dynamodb-restore-operator' });
    },
  },
  {
    paths: ['resources'],
    title: 'resources merge over the defaults',
    values: { resources: { requests: { cpu: '100m', memory: '200Mi' }, limits: { memory: '300Mi' } } },
    check: (o) => assert.deepEqual(container(o).resources, { requests: { cpu: '100m', memory: '200Mi' }, limits: { cpu: '500m', memory: '300Mi' } }),
  },
  {
    paths: ['nodeSelector', 'tolerations', 'affinity', 'priorityClassName'],
    title: 'nodeSelector, tolerations, affinity and priorityClassName reach the pod spec',
    values: {
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'platform', effect: 'NoSchedule' }],
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'arch', operator: 'In', values: ['arm64'] }] }] } } },
      priorityClassName: 'system-cluster-critical',
    },
    check: (o) => {
      const spec = pod(o).spec;
      assert.deepEqual(spec.nodeSelector, { 'kubernetes.io/os': 'linux' });
      assert.deepEqual(spec.tolerations, [{ key: 'dedicated', operator: 'Equal', value: 'platform', effect: 'NoSchedule' }]);
      assert.deepEqual(spec.affinity, { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'arch', operator: 'In', values: ['arm64'] }] }] } } });
      assert.equal(spec.priorityClassName, 'system-cluster-critical');
    },
  },
  {
    paths: ['topologySpreadConstraints'],
    title: 'topologySpreadConstraints go through tpl: {{ .Release.Name }} becomes the release\'s name',
    values: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { 'app.kubernetes.io/instance': '{{ .Release.Name }}' } } }] },
    check: (o) =>
      assert.deepEqual(pod(o).spec.topologySpreadConstraints, [
        { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { 'app.kubernetes.io/instance': 'dynamodb-restore-operator' } } },
      ]),
  },
];

/** The leaf paths of values.yaml; maps and lists a user fills in whole count as one value. */
function documentedPaths(): string[] {
  const WHOLE = new Set(['resources']);
  const walk = (value: unknown, prefix: string): string[] =>
    value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0 && !WHOLE.has(prefix)
      ? Object.entries(value).flatMap(([k, v]) => walk(v, prefix ? `${prefix}.${k}` : k))
      : [prefix];
  return walk(parse(readFileSync(join(CHART, 'values.yaml'), 'utf8')), '');
}

describe('Helm chart', function () {
  this.timeout(60_000);

  it("covers every value of values.yaml below, and the chart README's table lists exactly those values", () => {
    const documented = documentedPaths().sort();
    assert.deepEqual(CASES.flatMap((c) => c.paths).sort(), documented);
    const table = [...readFileSync(join(CHART, 'README.md'), 'utf8').matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]).sort();
    assert.deepEqual(table, documented);
  });

  for (const { title, values, check } of CASES) {
    it(title, () => check(render(values)));
  }

  it('renders no PodDisruptionBudget for one replica (it would block every drain), nor when disabled', () => {
    assert.deepEqual(render({ replicaCount: 1 }).filter((o) => o.kind === 'PodDisruptionBudget'), []);
    assert.deepEqual(render({ podDisruptionBudget: { enabled: false } }).filter((o) => o.kind === 'PodDisruptionBudget'), []);
  });

  it('renders no ServiceMonitor or PrometheusRule by default', () => {
    assert.deepEqual(render().filter((o) => o.kind === 'ServiceMonitor' || o.kind === 'PrometheusRule'), []);
  });

  it('labels every object with the name, instance, version, managed-by and chart labels', () => {
    for (const o of render({}, { release: 'ddbr' })) {
      assert.deepEqual(o.metadata.labels, {
        'app.kubernetes.io/name': 'dynamodb-restore-operator',
        'app.kubernetes.io/instance': 'ddbr',
        'app.kubernetes.io/version': 'v0.1.0',
        'app.kubernetes.io/managed-by': 'Helm',
        'helm.sh/chart': 'dynamodb-restore-operator-0.1.0',
      }, `${o.kind} ${o.metadata.name}`);
    }
  });

  it('names the objects of two releases apart: no cluster-scoped object and no Lease shared, each release\'s bindings to its own ServiceAccount', () => {
    const one = render({}, { release: 'restores-one', namespace: 'ops-one' });
    const two = render({}, { release: 'restores-two', namespace: 'ops-two' });
    const clusterScoped = (objects: Obj[]) => objects.filter((o) => o.metadata.namespace === undefined).map((o) => `${o.kind}/${o.metadata.name}`);
    assert.deepEqual(clusterScoped(one).filter((k) => clusterScoped(two).includes(k)), []);
    assert.ok(clusterScoped(one).includes('ClusterRole/restores-one-dynamodb-restore-operator'));
    assert.equal(env(one).LEADER_ELECTION_ID, 'restores-one-dynamodb-restore-operator');
    for (const binding of one.filter((o) => o.kind.endsWith('Binding') && o.subjects)) {
      assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'restores-one-dynamodb-restore-operator', namespace: 'ops-one' }], binding.metadata.name);
    }
  });

  it('keeps names within 63 characters for the longest release name Helm allows (53)', () => {
    for (const o of render({}, { release: `team-${'x'.repeat(48)}` })) assert.ok(o.metadata.name.length <= 63, `${o.kind} ${o.metadata.name}`);
  });

  it('refuses a misspelt key, a wrong type, an unknown enum value and a malformed digest, naming each', () => {
    assert.match(refusal({ regoin: 'eu-west-1' }), /additional properties 'regoin' not allowed/);
    assert.match(refusal({ maxRestoresInProgress: 'lots' }), /maxRestoresInProgress': got string, want integer/);
    assert.match(refusal({ maxRestoresInProgress: 51 }), /maxRestoresInProgress': maximum: got 51, want 50/);
    assert.match(refusal({ logLevel: 'loud' }), /logLevel': value must be one of/);
    assert.match(refusal({ image: { digest: 'latest' } }), /image\/digest': .*does not match pattern/);
    assert.match(refusal({ metrics: { serviceMonitor: { enabeld: true } } }), /additional properties 'enabeld' not allowed/);
  });

  it('refuses a cluster older than Kubernetes 1.30 (ValidatingAdmissionPolicy v1)', () => {
    assert.match(refusal({}, 'v1.29.9'), /chart requires kubeVersion: >=1\.30\.0-0 which is incompatible with Kubernetes v1\.29\.9/);
    assert.ok(render({}, { kubeVersion: 'v1.30.4-eks-a737599' }).length > 0, 'an EKS pre-release suffix is admitted');
  });

  it('passes helm lint --strict, and fails it on a misspelt key and on a string where a number belongs', () => {
    const lint = (...set: string[]) => execFileSync(process.env.TESTBED_HELM ?? 'helm', ['lint', '--strict', CHART, ...set.flatMap((s) => ['--set', s])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.match(lint(), /1 chart\(s\) linted, 0 chart\(s\) failed/);
    assert.throws(() => lint('regoin=eu-west-1'), (err: { stdout: string }) => /additional properties 'regoin' not allowed/.test(err.stdout));
    assert.throws(() => lint('maxRestoresInProgress=lots'), (err: { stdout: string }) => /got string, want integer/.test(err.stdout));
  });
});
