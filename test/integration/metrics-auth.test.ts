// /metrics is served over HTTPS, apart from the probes, and only to a bearer token the kube-apiserver authenticates
// (TokenReview) whose user RBAC lets get /metrics (SubjectAccessReview): the operator running under its real
// ServiceAccount with deploy/'s RBAC, a hostile tenant's ServiceAccount, and a Prometheus bound as
// deploy/prometheus/rbac.yaml binds it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { uniqueName } from '../support/restores.ts';
import { httpsGetText, httpStatus, REPO, type OperatorProcess, type TestBed } from '../support/testbed.ts';

describe('integration: /metrics behind authentication and authorization', function () {
  this.timeout(90_000);
  let bed: TestBed;
  let operator: OperatorProcess | undefined;
  const team = uniqueName('metrics-tenant');
  const scrape = (token?: string) => httpsGetText(operator?.metricsUrl ?? '', token === undefined ? {} : { authorization: `Bearer ${token}` });

  before(async () => {
    bed = await sharedTestBed();
    await bed.createNamespace(team);
    operator = await bed.startOperator({ WATCH_NAMESPACES: team });
  });

  after(async () => {
    if (operator) await bed.group.stop(operator.process);
  });

  it('answers 401 Unauthorized to a request without a token', async () => {
    assert.deepEqual(await scrape(), { status: 401, body: 'Unauthorized\n' });
  });

  it('answers 401 Unauthorized to a token the kube-apiserver does not know', async () => {
    assert.deepEqual(await scrape('eyJhbGciOiJSUzI1NiJ9.forged.token'), { status: 401, body: 'Unauthorized\n' });
  });

  it("answers 403 Forbidden to a tenant's ServiceAccount token (bound to deploy/tenancy/tenant-role.yaml only)", async () => {
    await bed.tenantKubeConfig(team);
    assert.deepEqual(await scrape(await bed.serviceAccountToken(team, 'deployer')), { status: 403, body: 'Forbidden\n' });
  });

  it('serves the Prometheus text to a ServiceAccount bound to the metrics-reader role by deploy/prometheus/rbac.yaml', async () => {
    const core = bed.kubeConfig.makeApiClient(CoreV1Api);
    // The example binds kube-prometheus's monitoring/prometheus-k8s.
    await core.createNamespace({ body: { metadata: { name: 'monitoring' } } });
    await core.createNamespacedServiceAccount({ namespace: 'monitoring', body: { metadata: { name: 'prometheus-k8s' } } });
    await bed.apply(readFileSync(join(REPO, 'deploy/prometheus/rbac.yaml'), 'utf8'));
    const answer = await scrape(await bed.serviceAccountToken('monitoring', 'prometheus-k8s'));
    assert.equal(answer.status, 200, answer.body);
    const lines = answer.body.split('\n');
    for (const line of ['# HELP leader_election_is_leader 1 while this replica leads.', '# TYPE workqueue_depth gauge', '# TYPE dynamodb_restore_aws_calls_total counter']) {
      assert.ok(lines.includes(line), line);
    }
  });

  it('serves no metrics on the probe port: /metrics there is 404, the probes 200', async () => {
    const probe = operator?.probeUrl ?? '';
    assert.equal(await httpStatus(`${probe}/metrics`), 404);
    assert.equal(await httpStatus(`${probe}/healthz`), 200);
    assert.equal(await httpStatus(`${probe}/readyz`), 200);
  });
});
