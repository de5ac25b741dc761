// Argo CD for real: its application controller and repo server (built from the Go module proxy) sync a team's
// restore manifests from a Git repository into the one-node cluster, under the team's AppProject from deploy/argocd,
// with the health checks installed as deploy/argocd/README.md says. What a user sees in Argo CD: the operator's
// sentences as health, a restore that runs once whatever Argo CD re-applies, an edit refused as a sync failure, and
// pruning that follows deletionPolicy. Runs under `make e2e-cluster` only.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { stringify } from 'yaml';
import type { DynamoDBRestoreSpec } from '../../src/api/dynamodb-restore.ts';
import { dynamodbClient, musicBackup, restoreManifest, Restores, tableExists, uniqueName } from '../support/restores.ts';
import { REPO } from '../support/testbed.ts';
import { ARGOCD_NAMESPACE, argoCd, teamManifests, type Application, type ArgoCd, type TeamRepository } from './support/argocd.ts';
import { onCluster, operatorRelease, type Release } from './support/release.ts';

const HEALTH = join(REPO, 'deploy/argocd/resource_customizations/dynamodb.restore.dev');
const MISSING_BACKUP = 'arn:aws:dynamodb:us-east-1:123456789012:table/Gone/backup/01489173575360-deadbeef';
const IMMUTABLE =
  'spec is immutable: a DynamoDBRestore runs once; create a new resource to restore again (only deletionPolicy and ttlSecondsAfterFinished may change)';

describe('cluster: Argo CD syncs restores from Git', function () {
  this.timeout(180_000);
  // Each test builds on the one before (the same repository and Application).
  this.bail(true);
  let release: Release;
  let argo: ArgoCd;
  let ddb: DynamoDBClient;
  let restores: Restores;
  let repo: TeamRepository;
  let app: string;
  const namespace = uniqueName('argocd-team');
  const retained = { name: 'music-retain', table: uniqueName('ArgoRetain'), backupArn: '' };
  const deleted = { name: 'music-delete', table: uniqueName('ArgoDelete'), backupArn: '' };
  const missing = { name: 'missing-backup', table: uniqueName('ArgoMissing') };

  const manifest = (name: string, spec: DynamoDBRestoreSpec) => stringify(restoreManifest(namespace, name, spec));
  const retainedSpec = (): DynamoDBRestoreSpec => ({ targetTableName: retained.table, source: { backupArn: retained.backupArn }, deletionPolicy: 'Retain' });
  const resource = (a: Application, name: string) => a.status?.resources?.find((r) => r.kind === 'DynamoDBRestore' && r.name === name);
  const restoreCalls = (table: string) => release.bed.proxy.callsOf('RestoreTableFromBackup', table).length;

  before(async function () {
    if (!onCluster()) this.skip();
    release = await operatorRelease();
    argo = await argoCd(release.bed);
    ddb = dynamodbClient(release.bed);
    restores = new Restores(release.bed);
    await release.bed.createNamespace(namespace);
    retained.backupArn = await musicBackup(ddb, retained.table);
    deleted.backupArn = await musicBackup(ddb, deleted.table);
    repo = argo.repository(namespace);
  });

  after(() => {
    release.bed.proxy.holdCreatingMs = 0;
    ddb?.destroy();
  });

  it("installs the health checks with deploy/argocd/README.md's command: argocd-cm holds each health.lua under its resource.customizations.health key, byte for byte", async () => {
    const data = JSON.parse(await release.bed.kubectl('get', 'configmap', '-n', ARGOCD_NAMESPACE, 'argocd-cm', '-o', 'jsonpath={.data}')) as Record<string, string>;
    assert.deepEqual(data, {
      'resource.customizations.health.dynamodb.restore.dev_DynamoDBRestore': readFileSync(join(HEALTH, 'DynamoDBRestore/health.lua'), 'utf8'),
      'resource.customizations.health.dynamodb.restore.dev_DynamoDBRestoreSchedule': readFileSync(join(HEALTH, 'DynamoDBRestoreSchedule/health.lua'), 'utf8'),
    });
  });

  it("syncs two restores under the team's AppProject: Progressing, refreshed while CREATING with the operator's sentence, then Healthy with the operator's; one RestoreTableFromBackup each", async () => {
    release.bed.proxy.holdCreatingMs = 10_000;
    await repo.commit('Restore Music twice', {
      [`restores/${retained.name}.yaml`]: manifest(retained.name, retainedSpec()),
      [`restores/${deleted.name}.yaml`]: manifest(deleted.name, { targetTableName: deleted.table, source: { backupArn: deleted.backupArn }, deletionPolicy: 'Delete' }),
    });
    const team = teamManifests(repo.url, namespace);
    app = team.name;
    await release.bed.apply(team.project);
    const createdAt = Date.now();
    await release.bed.apply(team.application);

    const appHealth: string[] = [];
    const record = (a: Application) => {
      const status = a.status?.health?.status ?? '';
      if (appHealth.at(-1) !== status) appHealth.push(status);
    };
    // Synced: Argo CD created the restores (the message is the check's or the operator's first, whichever it saw).
    const synced = await argo.waitForApplication(app, 'to be Synced', (a) => a.status?.sync?.status === 'Synced', 60_000, record);
    assert.equal(resource(synced, retained.name)?.health?.status, 'Progressing');
    // Argo CD compares again on a change of health status, not of message: a refresh shows the operator's sentence.
    // tableStatus is CREATING from the restore call's answer on; the CREATING sentence comes with the first DescribeTable.
    const creating = new RegExp(`^Table ${retained.table} is CREATING \\(\\d+s\\)\\.$`);
    await restores.waitFor(namespace, retained.name, 'to say its table is CREATING', (r) => creating.test(r.status?.conditions?.find((c) => c.type === 'Ready')?.message ?? ''));
    const restoring = await argo.refresh(app, 'normal');
    record(restoring);
    assert.equal(resource(restoring, retained.name)?.health?.status, 'Progressing');
    assert.match(resource(restoring, retained.name)?.health?.message ?? '', creating);

    const healthy = await argo.waitForApplication(app, 'to be Healthy', (a) => a.status?.health?.status === 'Healthy', 120_000, record);
    const syncedIn = Date.now() - createdAt;
    release.bed.proxy.holdCreatingMs = 0;
    assert.deepEqual(appHealth.filter((s) => ['Progressing', 'Healthy', 'Degraded'].includes(s)), ['Progressing', 'Healthy']);
    for (const { name, table, backupArn } of [retained, deleted]) {
      assert.deepEqual(resource(healthy, name)?.health, { status: 'Healthy', message: `Table ${table} is ACTIVE, restored from backup ${backupArn}.` });
      assert.equal(restoreCalls(table), 1);
    }
    console.log(`      Argo CD: Application created → Healthy in ${(syncedIn / 1000).toFixed(1)} s (tables held CREATING 10 s)`);
  });

  it('a hard refresh and a re-sync of the same revision change nothing: the restores keep their resourceVersion and generation 1, still one RestoreTableFromBackup each', async () => {
    const before = await Promise.all([retained, deleted].map(async ({ name }) => (await restores.get(namespace, name)).metadata));
    await argo.refresh(app, 'hard');
    const revision = (await argo.application(app)).status?.sync?.revision ?? '';
    const synced = await argo.sync(app, revision);
    assert.equal(synced.status?.operationState?.phase, 'Succeeded');
    assert.equal(synced.status?.operationState?.syncResult?.revision, revision);
    for (const [i, { name, table }] of [retained, deleted].entries()) {
      const after = (await restores.get(namespace, name)).metadata;
      assert.deepEqual([after.resourceVersion, after.generation], [before[i]?.resourceVersion, 1]);
      assert.equal(restoreCalls(table), 1);
    }
  });

  it("a spec edited in Git fails the sync with the admission refusal's sentence (retried, as automated sync does, until terminated); the restore keeps its spec and is not run again", async () => {
    const edited = `${retained.table}-2`;
    const revision = await repo.commit('Restore into another table', {
      [`restores/${retained.name}.yaml`]: manifest(retained.name, { ...retainedSpec(), targetTableName: edited }),
    });
    await argo.refresh(app, 'hard');
    const failed = await argo.waitForApplication(app, `to fail applying ${revision}`, (a) => {
      const state = a.status?.operationState;
      return state?.syncResult?.revision === revision && state.syncResult.resources?.some((r) => r.name === retained.name && r.status === 'SyncFailed') === true;
    });
    const refusal = `DynamoDBRestore.dynamodb.restore.dev "${retained.name}" is invalid: spec.targetTableName: Invalid value: "${edited}": ${IMMUTABLE}`;
    const result = failed.status?.operationState?.syncResult?.resources?.find((r) => r.name === retained.name);
    assert.ok(result?.message?.endsWith(refusal), result?.message);
    assert.equal(failed.status?.sync?.status, 'OutOfSync');
    // The Application's automated sync retries (limit 5, backing off); `argocd app terminate-op` ends it.
    const terminated = await argo.terminateOperation(app);
    assert.equal(terminated.status?.operationState?.phase, 'Failed');
    assert.equal((await restores.get(namespace, retained.name)).spec.targetTableName, retained.table);
    assert.equal(restoreCalls(retained.table), 1);
    assert.equal(restoreCalls(edited), 0);
  });

  it("a restore from a missing backup, committed with the edit reverted, is Degraded with the operator's sentence", async () => {
    await repo.commit('Revert the edit; restore from a backup that does not exist', {
      [`restores/${retained.name}.yaml`]: manifest(retained.name, retainedSpec()),
      [`restores/${missing.name}.yaml`]: manifest(missing.name, { targetTableName: missing.table, source: { backupArn: MISSING_BACKUP } }),
    });
    await argo.refresh(app, 'hard');
    const degraded = await argo.waitForApplication(app, 'to be Degraded', (a) => a.status?.health?.status === 'Degraded' && a.status.sync?.status === 'Synced');
    assert.deepEqual(resource(degraded, missing.name)?.health, {
      status: 'Degraded',
      message: `Backup ${MISSING_BACKUP} does not exist in this account and Region; check the ARN with \`aws dynamodb list-backups\`.`,
    });
    assert.equal(resource(degraded, retained.name)?.health?.status, 'Healthy');
    assert.equal(restoreCalls(missing.table), 0);
  });

  it('pruning manifests from Git deletes their restores: with Retain the table stays ACTIVE, with Delete the operator deletes it (one DeleteTable)', async () => {
    const deletesBefore = [retained, deleted].map(({ table }) => release.bed.proxy.callsOf('DeleteTable', table).length);
    // The failed restore stays: automated sync never prunes an Application's last resources (allowEmpty: false).
    await repo.commit('Remove the finished restores', {
      [`restores/${retained.name}.yaml`]: null,
      [`restores/${deleted.name}.yaml`]: null,
    });
    await argo.refresh(app, 'hard');
    for (const { name } of [retained, deleted]) await restores.waitGone(namespace, name, 90_000);
    assert.equal(await tableExists(ddb, retained.table), true);
    assert.equal(await tableExists(ddb, deleted.table), false);
    assert.deepEqual(
      [retained, deleted].map(({ table }, i) => release.bed.proxy.callsOf('DeleteTable', table).length - (deletesBefore[i] ?? 0)),
      [0, 1],
    );
  });
});
