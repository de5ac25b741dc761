// `helm install` of the chart into the bed's real apiserver: values the schema refuses never reach the cluster, two
// releases in two namespaces install side by side, and the release notes say what to do next, CRD upgrades included.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppsV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { uniqueName } from '../support/restores.ts';
import { REPO, type TestBed } from '../support/testbed.ts';

const run = promisify(execFile);
const CHART = join(REPO, 'deploy/helm/dynamodb-restore-operator');

describe('integration: helm install of the chart', function () {
  this.timeout(120_000);
  const skip = process.env.E2E_USE_KUBECONFIG === '1' || !process.env.TESTBED_ASSETS;
  let bed: TestBed;
  const releases = [
    { name: uniqueName('ddbr-one'), namespace: uniqueName('helm-one') },
    { name: uniqueName('ddbr-two'), namespace: uniqueName('helm-two') },
  ];
  const helm = (...args: string[]) => run(process.env.TESTBED_HELM ?? 'helm', [...args, '--kubeconfig', bed.adminKubeconfig], { encoding: 'utf8' });

  before(async function () {
    if (skip) this.skip();
    bed = await sharedTestBed();
  });

  after(async () => {
    // The cluster-scoped objects (a second ValidatingAdmissionPolicy among them) must not outlive this file.
    for (const { name, namespace } of releases) await helm('uninstall', name, '--namespace', namespace).catch(() => undefined);
  });

  it('refuses a misspelt value and a wrong type at install, naming them, and creates nothing', async () => {
    const { name, namespace } = releases[0] ?? assert.fail();
    await assert.rejects(helm('install', name, CHART, '--namespace', namespace, '--create-namespace', '--set', 'regoin=eu-west-1', '--set', 'maxRestoresInProgress=lots'), (err: { stderr: string }) => {
      assert.match(err.stderr, /additional properties 'regoin' not allowed/);
      assert.match(err.stderr, /maxRestoresInProgress': got string, want integer/);
      return true;
    });
    await assert.rejects(helm('status', name, '--namespace', namespace), /release: not found/);
  });

  it('installs two releases side by side, each with its own Deployment, ClusterRole and Lease name, and prints what to do next', async () => {
    const notes: string[] = [];
    for (const { name, namespace } of releases) {
      const { stdout } = await helm('install', name, CHART, '--namespace', namespace, '--create-namespace', '--set', `watchNamespaces={${namespace}}`);
      notes.push(stdout);
    }
    const apps = bed.kubeConfig.makeApiClient(AppsV1Api);
    const rbac = bed.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    for (const { name, namespace } of releases) {
      const fullname = `${name}-dynamodb-restore-operator`;
      const deployment = await apps.readNamespacedDeployment({ name: fullname, namespace });
      const env = deployment.spec?.template.spec?.containers[0]?.env ?? [];
      assert.equal(env.find((e) => e.name === 'LEADER_ELECTION_ID')?.value, fullname);
      assert.deepEqual((await rbac.readClusterRole({ name: `${fullname}-policies` })).metadata?.labels?.['app.kubernetes.io/instance'], name);
    }
    const [first] = releases;
    assert.ok(first);
    assert.match(notes[0] ?? '', new RegExp(`kubectl -n ${first.namespace} rollout status deployment/${first.name}-dynamodb-restore-operator`));
    assert.match(notes[0] ?? '', /Helm installs the CRDs in crds\/ but never upgrades them/);
    assert.match(notes[0] ?? '', /kubectl apply --server-side -f crds\//);
    assert.match(notes[0] ?? '', /kubectl wait --for=condition=Failed ddbr\/music-from-backup -n team-a/);
    assert.match(notes[0] ?? '', /AWS credentials: no IRSA annotation is set/);
  });
});
