// The install manifests: the kustomize base and the Helm chart render, agree with each other, hold no wildcard
// permission, apply to a real apiserver, and give a pod that Pod Security "restricted" admits.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiException, CoreV1Api, type V1Pod, type V1PolicyRule } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { kubectlBinary, OPERATOR_NAMESPACE, REPO, type TestBed } from '../support/testbed.ts';

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [k: string]: unknown };

const parseAll = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as Manifest | null).filter((m): m is Manifest => m !== null);
const keyOf = (m: Manifest) => `${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`;

// The chart requires Kubernetes >= 1.30; helm template checks against its own default (1.20) unless told.
const KUBE_VERSION = 'v1.36.3';
const kustomizeBase = () => execFileSync(kubectlBinary(), ['kustomize', join(REPO, 'deploy/kustomize/base')], { encoding: 'utf8' });
const kustomize = () => parseAll(kustomizeBase());

function helm(...set: string[]): Manifest[] {
  const args = ['template', 'dynamodb-restore-operator', join(REPO, 'deploy/helm/dynamodb-restore-operator'), '--namespace', OPERATOR_NAMESPACE, '--kube-version', KUBE_VERSION, '--include-crds'];
  return parseAll(execFileSync(process.env.TESTBED_HELM ?? 'helm', [...args, ...set.flatMap((s) => ['--set', s])], { encoding: 'utf8' }));
}

/** Helm's own bookkeeping labels, and the version label the chart takes from the image tag, are the only difference allowed. */
function withoutHelmLabels(m: Manifest): Manifest {
  const labels = { ...m.metadata.labels };
  delete labels['helm.sh/chart'];
  delete labels['app.kubernetes.io/managed-by'];
  delete labels['app.kubernetes.io/version'];
  return { ...m, metadata: { ...m.metadata, ...(Object.keys(labels).length > 0 ? { labels } : { labels: undefined }) } };
}

const normalise = (ms: Manifest[]) => new Map(ms.map((m) => [keyOf(m), JSON.parse(JSON.stringify(withoutHelmLabels(m))) as Manifest]));

describe('integration: install manifests (kustomize base and Helm chart)', function () {
  this.timeout(60_000);
  const skip = process.env.E2E_USE_KUBECONFIG === '1' || !process.env.TESTBED_ASSETS;
  let bed: TestBed;

  before(async function () {
    if (skip) this.skip();
    bed = await sharedTestBed();
  });

  it('render the same objects: the chart with default values is the kustomize base (less the Namespace)', () => {
    const base = normalise(kustomize().filter((m) => m.kind !== 'Namespace'));
    const chart = normalise(helm());
    assert.deepEqual([...chart.keys()].sort(), [...base.keys()].sort());
    for (const [key, object] of base) assert.deepEqual(chart.get(key), object, key);
  });

  it('the chart scopes RBAC to the watched namespaces and carries the IRSA annotation', () => {
    const objects = helm('watchNamespaces={team-a,team-b}', 'serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn=arn:aws:iam::123456789012:role/ddbr');
    const kinds = objects.map((m) => `${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`);
    // Only the cluster-scoped policies and the reviews behind secure metrics (cluster-scoped too) are cluster-wide, and
    // the metrics-reader role for Prometheus; restores only in the listed namespaces.
    assert.deepEqual(kinds.filter((k) => k.startsWith('ClusterRole')).sort(), [
      'ClusterRole//dynamodb-restore-operator-metrics-auth',
      'ClusterRole//dynamodb-restore-operator-metrics-reader',
      'ClusterRole//dynamodb-restore-operator-policies',
      'ClusterRoleBinding//dynamodb-restore-operator-metrics-auth',
      'ClusterRoleBinding//dynamodb-restore-operator-policies',
    ]);
    for (const ns of ['team-a', 'team-b']) {
      assert.ok(kinds.includes(`Role/${ns}/dynamodb-restore-operator`));
      assert.ok(kinds.includes(`RoleBinding/${ns}/dynamodb-restore-operator`));
    }
    const deployment = objects.find((m) => m.kind === 'Deployment') as unknown as { spec: { template: { spec: { containers: Array<{ env: Array<{ name: string; value?: string }> }> } } } };
    assert.equal(deployment.spec.template.spec.containers[0]?.env.find((e) => e.name === 'WATCH_NAMESPACES')?.value, 'team-a,team-b');
    const sa = objects.find((m) => m.kind === 'ServiceAccount');
    assert.deepEqual(sa?.metadata.annotations, { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/ddbr' });
  });

  it('the chart with metrics.certSecret mounts that Secret read-only and points METRICS_CERT_DIR at it', () => {
    type PodSpec = { containers: Array<{ env: Array<{ name: string; value?: string }>; volumeMounts?: unknown }>; volumes?: unknown };
    const deployment = helm('metrics.certSecret=ddbr-metrics-tls').find((m) => m.kind === 'Deployment') as unknown as { spec: { template: { spec: PodSpec } } };
    const pod = deployment.spec.template.spec;
    assert.equal(pod.containers[0]?.env.find((e) => e.name === 'METRICS_CERT_DIR')?.value, '/var/run/metrics-certs');
    assert.deepEqual(pod.containers[0]?.volumeMounts, [{ name: 'metrics-certs', mountPath: '/var/run/metrics-certs', readOnly: true }]);
    assert.deepEqual(pod.volumes, [{ name: 'metrics-certs', secret: { secretName: 'ddbr-metrics-tls' } }]);
  });

  it('the Prometheus example scrapes the metrics Service\'s port over HTTPS and binds the metrics-reader role the install ships', () => {
    const objects = kustomize();
    const service = objects.find((m) => m.kind === 'Service') as unknown as { metadata: { labels: Record<string, string> }; spec: { ports: Array<{ name: string; port: number }> } };
    assert.deepEqual(service.spec.ports.map((p) => `${p.name}:${p.port}`), ['https-metrics:8443']);
    const [monitor] = parseAll(readFileSync(join(REPO, 'deploy/prometheus/servicemonitor.yaml'), 'utf8')) as unknown as Array<{ spec: { selector: { matchLabels: Record<string, string> }; endpoints: Array<{ port: string; scheme: string; path: string }> } }>;
    assert.deepEqual(monitor?.spec.endpoints.map((e) => `${e.scheme} ${e.port} ${e.path}`), ['https https-metrics /metrics']);
    for (const [label, value] of Object.entries(monitor?.spec.selector.matchLabels ?? {})) assert.equal(service.metadata.labels[label], value, label);
    const [binding] = parseAll(readFileSync(join(REPO, 'deploy/prometheus/rbac.yaml'), 'utf8')) as unknown as Array<{ roleRef: { kind: string; name: string } }>;
    const reader = objects.find((m) => m.kind === 'ClusterRole' && m.metadata.name === binding?.roleRef.name) as unknown as { rules: unknown } | undefined;
    assert.deepEqual(reader?.rules, [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }]);
  });

  it('grant no wildcard anywhere, in RBAC or in the IAM policy', () => {
    const tenant = parseAll(readFileSync(join(REPO, 'deploy/tenancy/tenant-role.yaml'), 'utf8'));
    for (const m of [...kustomize(), ...helm(), ...tenant].filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role')) {
      for (const rule of (m as unknown as { rules: V1PolicyRule[] }).rules) {
        for (const value of [...(rule.apiGroups ?? []), ...(rule.resources ?? []), ...rule.verbs]) assert.ok(!value.includes('*'), `${keyOf(m)}: ${value}`);
      }
    }
    const policy = JSON.parse(readFileSync(join(REPO, 'deploy/iam/operator-policy.json'), 'utf8')) as { Statement: Array<{ Action: string[] }> };
    const actions = policy.Statement.flatMap((s) => s.Action);
    for (const action of actions) assert.ok(!action.includes('*'), action);
    for (const call of ['DescribeBackup', 'RestoreTableFromBackup', 'DescribeTable', 'TagResource']) assert.ok(actions.includes(`dynamodb:${call}`), call);
  });

  it('apply to a real apiserver, and the operator pod passes Pod Security "restricted"', async () => {
    await bed.apply(kustomizeBase());
    const deployment = kustomize().find((m) => m.kind === 'Deployment') as unknown as { spec: { template: { metadata: object; spec: V1Pod['spec'] } } };
    const core = bed.kubeConfig.makeApiClient(CoreV1Api);
    const pod = (name: string, spec: V1Pod['spec']): V1Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: OPERATOR_NAMESPACE }, spec });
    await core.createNamespacedPod({ namespace: OPERATOR_NAMESPACE, body: pod('operator', deployment.spec.template.spec), dryRun: 'All' });
    // The control: the same pod, made to run as root, is refused, so the namespace really enforces "restricted".
    const template = deployment.spec.template.spec;
    assert.ok(template);
    const asRoot = { ...template, securityContext: { ...template.securityContext, runAsNonRoot: false, runAsUser: 0 } };
    await assert.rejects(
      core.createNamespacedPod({ namespace: OPERATOR_NAMESPACE, body: pod('operator-as-root', asRoot), dryRun: 'All' }),
      (err: unknown) => err instanceof ApiException && err.code === 403 && /violates PodSecurity .*restricted/.test(String(err.body)),
    );
  });
});
