// A team as the platform team sets it up: a ServiceAccount in its own namespace, bound there to the tenant role of
// deploy/tenancy and to nothing else. Tests that play a (hostile) tenant act through its kubeconfig.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { REPO, type TestBed } from './testbed.ts';

export async function tenantKubeConfig(bed: TestBed, namespace: string, name = 'deployer'): Promise<KubeConfig> {
  await bed.apply(readFileSync(join(REPO, 'deploy/tenancy/tenant-role.yaml'), 'utf8'));
  await bed.kubeConfig.makeApiClient(CoreV1Api).createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  await bed.kubeConfig.makeApiClient(RbacAuthorizationV1Api).createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name: `${name}-restores` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'dynamodb-restore-tenant' },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    },
  });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(await bed.serviceAccountKubeconfig(namespace, name));
  return kubeConfig;
}
