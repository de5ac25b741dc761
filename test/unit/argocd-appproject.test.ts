// The Argo CD example scopes a team's GitOps to its restores: the Application uses the team's AppProject, which lets
// only DynamoDBRestores from the team's repository into the team's namespace, and no cluster-scoped kind. Checked
// statically: there is no Argo CD on the test bed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO } from '../support/testbed.ts';

interface AppProject {
  kind: string;
  metadata: { name: string; namespace: string };
  spec: {
    sourceRepos?: string[];
    destinations?: Array<{ server?: string; name?: string; namespace?: string }>;
    clusterResourceWhitelist?: unknown[];
    clusterResourceBlacklist?: unknown[];
    namespaceResourceWhitelist?: Array<{ group: string; kind: string }>;
    sourceNamespaces?: string[];
  };
}

interface Application {
  spec: { project: string; source: { repoURL: string }; destination: { server: string; namespace: string } };
}

const read = <T>(file: string) => parse(readFileSync(join(REPO, 'deploy/argocd', file), 'utf8')) as T;

describe('deploy/argocd: a team project', () => {
  const project = read<AppProject>('appproject.yaml');
  const application = read<Application>('application.yaml');

  it("the Application syncs in the team's project, not default", () => {
    assert.equal(project.kind, 'AppProject');
    assert.equal(application.spec.project, project.metadata.name);
    assert.equal(project.metadata.name, 'team-a');
  });

  it("allows only the team's namespace on the local cluster as a destination", () => {
    assert.deepEqual(project.spec.destinations, [{ server: 'https://kubernetes.default.svc', namespace: 'team-a' }]);
    assert.deepEqual(application.spec.destination, { server: 'https://kubernetes.default.svc', namespace: 'team-a' });
  });

  it('allows only DynamoDBRestore and DynamoDBRestoreSchedule among namespaced kinds', () => {
    assert.deepEqual(project.spec.namespaceResourceWhitelist, [
      { group: 'dynamodb.restore.dev', kind: 'DynamoDBRestore' },
      { group: 'dynamodb.restore.dev', kind: 'DynamoDBRestoreSchedule' },
    ]);
  });

  it('allows no cluster-scoped kind (an empty whitelist and no blacklist: Argo CD then blocks them all)', () => {
    assert.deepEqual(project.spec.clusterResourceWhitelist, []);
    assert.equal(project.spec.clusterResourceBlacklist, undefined);
  });

  it("takes manifests from the team's repository only, and Applications only from Argo CD's namespace", () => {
    assert.deepEqual(project.spec.sourceRepos, ['https://git.example.com/team-a/restores.git']);
    assert.equal(application.spec.source.repoURL, 'https://git.example.com/team-a/restores.git');
    assert.equal(project.metadata.namespace, 'argocd');
    assert.equal(project.spec.sourceNamespaces, undefined);
  });
});
