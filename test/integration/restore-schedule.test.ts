// DynamoDBRestoreSchedule on the test bed: runs every 10 s (the operator's minimum interval lowered for the bed),
// each an ordinary DynamoDBRestore restoring the newest backup from moto, old runs and their tables deleted past the
// history limit, the newest table published in a ConfigMap only once Completed; restarts, Forbid/Replace, refusals.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ApiException, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRestore } from '../../src/api/dynamodb-restore.ts';
import type { DynamoDBRestoreSchedule, DynamoDBRestoreScheduleSpec } from '../../src/api/dynamodb-restore-schedule.ts';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { dynamodbClient, tableExists, musicBackup, Restores, uniqueName } from '../support/restores.ts';
import { waitFor } from '../support/processes.ts';
import { REPO, type TestBed } from '../support/testbed.ts';

const group = 'dynamodb.restore.dev';
const version = 'v1alpha1';
const plural = 'dynamodbrestoreschedules';
const EVERY_10_S = '*/10 * * * * *';
const RUN_NAME = /^[a-z0-9-]+-\d{8}t\d{6}z$/;

describe('integration: DynamoDBRestoreSchedule', function () {
  this.timeout(240_000);
  let bed: TestBed;
  let ddb: DynamoDBClient;
  let restores: Restores;
  let api: CustomObjectsApi;
  let core: CoreV1Api;
  let musicTable: string;
  const namespace = uniqueName('sched');

  const env = (extra: Record<string, string> = {}) => ({ WATCH_NAMESPACES: namespace, SCHEDULE_MIN_INTERVAL_SECONDS: '5', POLL_MIN_SECONDS: '1', ...extra });

  async function createSchedule(name: string, spec: Partial<DynamoDBRestoreScheduleSpec> & { targetTableName: string }): Promise<void> {
    const body = {
      apiVersion: `${group}/${version}`,
      kind: 'DynamoDBRestoreSchedule',
      metadata: { name, namespace },
      spec: { schedule: EVERY_10_S, restoreTemplate: { spec: { source: { backup: { tableName: musicTable, latest: true } } } }, ...spec },
    };
    await api.createNamespacedCustomObject({ group, version, plural, namespace, body });
  }
  const getSchedule = async (name: string) => (await api.getNamespacedCustomObject({ group, version, plural, namespace, name })) as DynamoDBRestoreSchedule;
  const patchSchedule = (name: string, spec: Partial<DynamoDBRestoreScheduleSpec>) =>
    api.patchNamespacedCustomObject({ group, version, plural, namespace, name, body: [{ op: 'add', path: '/spec/suspend', value: spec.suspend }] });
  const runsOf = async (schedule: string): Promise<DynamoDBRestore[]> => {
    const list = (await api.listNamespacedCustomObject({ group, version, plural: 'dynamodbrestores', namespace, labelSelector: `dynamodb.restore.dev/schedule=${schedule}` })) as { items: DynamoDBRestore[] };
    return list.items;
  };
  /** Suspends the schedule and deletes it with its runs (no garbage collector on this bed: the runs by hand). */
  async function cleanUp(name: string): Promise<void> {
    await patchSchedule(name, { suspend: true }).catch(() => undefined);
    for (const run of await runsOf(name)) await restores.delete(namespace, run.metadata.name).catch(() => undefined);
    await api.deleteNamespacedCustomObject({ group, version, plural, namespace, name }).catch(() => undefined);
  }

  before(async () => {
    bed = await sharedTestBed();
    ddb = dynamodbClient(bed);
    restores = new Restores(bed);
    api = bed.kubeConfig.makeApiClient(CustomObjectsApi);
    core = bed.kubeConfig.makeApiClient(CoreV1Api);
    await bed.createNamespace(namespace);
    musicTable = uniqueName('Music');
    await musicBackup(ddb, musicTable);
  });

  after(() => {
    bed.proxy.holdCreatingMs = 0;
    bed.proxy.finishAllCreating();
    ddb.destroy();
  });

  it('runs on the 10 s marks, keeps the 2 newest Completed runs, deletes older runs with their tables, and publishes each table only after its run Completed', async () => {
    const operator = await bed.startOperator(env());
    const name = 'copies';
    const published = new Map<string, number>(); // table → when this test first saw it in the ConfigMap
    try {
      await createSchedule(name, { targetTableName: `${musicTable}-copy-$(scheduleTime)`, successfulRestoresHistoryLimit: 2, publish: { configMapName: 'music-table' } });
      const seenRuns = new Map<string, DynamoDBRestore>();
      await waitFor('a run to be deleted past the history limit, with 2 Completed runs kept', async () => {
        for (const run of await runsOf(name)) seenRuns.set(run.metadata.name, run);
        const cm = await core.readNamespacedConfigMap({ namespace, name: 'music-table' }).catch(() => undefined);
        const table = cm?.data?.tableName;
        if (table && !published.has(table)) published.set(table, Date.now());
        const current = await runsOf(name);
        return seenRuns.size >= 4 && current.filter((r) => r.status?.phase === 'Completed').length === 2 && seenRuns.size > current.length;
      }, 120_000, 250);
      await patchSchedule(name, { suspend: true });

      // Named after their scheduled times, on the 10 s marks, one restore call each.
      for (const runName of seenRuns.keys()) assert.match(runName, RUN_NAME);
      for (const run of seenRuns.values()) {
        const at = new Date(run.metadata.annotations?.['dynamodb.restore.dev/scheduled-at'] ?? '');
        assert.equal(at.getUTCSeconds() % 10, 0, `${run.metadata.name} is scheduled on a 10 s mark`);
        assert.equal(run.spec.deletionPolicy, 'Delete');
        const restoresOfTable = bed.proxy.callsOf('RestoreTableFromBackup', run.spec.targetTableName).filter((c) => !c.error).length;
        if (run.status?.phase === 'Completed') assert.equal(restoresOfTable, 1, `one restore of ${run.spec.targetTableName}`);
      }
      // The runs gone took their tables with them; the 2 kept have theirs.
      const current = new Set((await runsOf(name)).map((r) => r.metadata.name));
      const gone = [...seenRuns.values()].filter((r) => !current.has(r.metadata.name));
      assert.ok(gone.length >= 1);
      for (const run of gone) await waitFor(`table ${run.spec.targetTableName} to be deleted`, async () => !(await tableExists(ddb, run.spec.targetTableName)), 30_000, 250);
      const schedule = await getSchedule(name);
      const newest = schedule.status?.newestCompleted;
      assert.ok(newest && (await tableExists(ddb, newest.tableName)), 'the newest Completed table exists');
      // The ConfigMap names it, and is the schedule's own.
      const cm = await core.readNamespacedConfigMap({ namespace, name: 'music-table' });
      assert.equal(cm.data?.tableName, newest.tableName);
      assert.equal(cm.data?.tableArn, `arn:aws:dynamodb:us-east-1:123456789012:table/${newest.tableName}`);
      assert.deepEqual(cm.metadata?.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]), [['DynamoDBRestoreSchedule', name, (schedule.metadata as { uid: string }).uid, true]]);
      // Each table published was seen there only after its run's completionTime.
      for (const [table, seenAt] of published) {
        const run = [...seenRuns.values()].find((r) => r.spec.targetTableName === table);
        const completed = (await restores.find(namespace, run?.metadata.name ?? ''))?.status?.completionTime ?? run?.status?.completionTime;
        assert.ok(completed && Date.parse(completed) <= seenAt, `${table} published at ${new Date(seenAt).toISOString()}, completed at ${completed}`);
      }
      const ready = schedule.status?.conditions?.find((c) => c.type === 'Ready');
      assert.equal(ready?.status, 'True');
      const events = await restores.events(namespace);
      assert.ok(events.some((e) => e.name === name && e.reason === 'RunCreated'));
      assert.ok(events.some((e) => e.name === name && e.reason === 'RunDeleted'));
      assert.ok(events.some((e) => e.name === name && e.reason === 'Published'));
    } finally {
      await cleanUp(name);
      await bed.group.stop(operator.process);
    }
  });

  it('an operator stopped for three scheduled times makes one catch-up run when it starts again, and no second run for any time', async () => {
    const name = 'restart';
    let operator = await bed.startOperator(env());
    try {
      await createSchedule(name, { targetTableName: `${musicTable}-r-$(scheduleTime)` });
      await waitFor('the first run', async () => (await runsOf(name)).length === 1, 30_000, 250);
      await bed.group.stop(operator.process);
      const before = (await runsOf(name)).map((r) => r.metadata.name);
      await new Promise((resolve) => setTimeout(resolve, 31_000)); // three 10 s marks pass with no operator
      operator = await bed.startOperator(env());
      await waitFor('the catch-up run', async () => (await runsOf(name)).length === 2, 30_000, 100);
      await patchSchedule(name, { suspend: true });
      const after = (await runsOf(name)).map((r) => r.metadata.name).sort();
      assert.equal(after.length, 2, `runs: ${after.join(', ')}`);
      assert.deepEqual(after.filter((n) => !before.includes(n)).length, 1, 'exactly one run for the missed times');
      for (const run of await runsOf(name)) {
        assert.equal(bed.proxy.callsOf('RestoreTableFromBackup', run.spec.targetTableName).filter((c) => !c.error).length <= 1, true);
      }
    } finally {
      await cleanUp(name);
      await bed.group.stop(operator.process);
    }
  });

  it('Forbid: a run due while the previous one restores is not made; Replace: the previous run is deleted and the new one made', async () => {
    const operator = await bed.startOperator(env());
    try {
      bed.proxy.holdCreatingMs = 25_000;
      await createSchedule('forbid', { targetTableName: `${musicTable}-f-$(scheduleTime)` });
      await createSchedule('replace', { targetTableName: `${musicTable}-p-$(scheduleTime)`, concurrencyPolicy: 'Replace' });
      await waitFor('both schedules to have made a run', async () => (await runsOf('forbid')).length === 1 && (await runsOf('replace')).length >= 1, 30_000, 250);
      const [firstReplace] = (await runsOf('replace')).map((r) => r.metadata.name);
      // Wait past the next mark: Replace makes a second run and deletes the first, Forbid waits.
      await waitFor('Replace to make its next run', async () => (await runsOf('replace')).some((r) => r.metadata.name !== firstReplace), 30_000, 250);
      bed.proxy.holdCreatingMs = 0;
      assert.equal((await runsOf('forbid')).length, 1, 'Forbid made no second run while the first restores');
      const replaced = await restores.find(namespace, firstReplace ?? '');
      assert.ok(replaced === undefined || replaced.metadata.deletionTimestamp, 'the replaced run is deleted (or waiting for its table to be ACTIVE)');
    } finally {
      bed.proxy.holdCreatingMs = 0;
      await cleanUp('forbid');
      await cleanUp('replace');
      await bed.group.stop(operator.process);
    }
  });

  it("attack: a schedule told to publish into a ConfigMap it does not own never changes it (Ready False ConfigMapNotOwned)", async () => {
    const operator = await bed.startOperator(env());
    const name = 'foreign-cm';
    try {
      await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'app-settings' }, data: { tableName: 'prod.orders', other: 'x' } } });
      await createSchedule(name, { targetTableName: `${musicTable}-c-$(scheduleTime)`, publish: { configMapName: 'app-settings' } });
      await waitFor('a Completed run and the refusal', async () => {
        const done = (await runsOf(name)).some((r) => r.status?.phase === 'Completed');
        const reason = (await getSchedule(name)).status?.conditions?.find((c) => c.type === 'Ready')?.reason;
        return done && reason === 'ConfigMapNotOwned';
      }, 60_000, 250);
      const cm = await core.readNamespacedConfigMap({ namespace, name: 'app-settings' });
      assert.deepEqual(cm.data, { tableName: 'prod.orders', other: 'x' });
      assert.equal(cm.metadata?.ownerReferences, undefined);
    } finally {
      await cleanUp(name);
      await core.deleteNamespacedConfigMap({ namespace, name: 'app-settings' }).catch(() => undefined);
      await bed.group.stop(operator.process);
    }
  });

  it('a run the namespace\'s policy refuses at admission is not made: Ready False RestoreRefused with the policy\'s message, and no restore call', async () => {
    const strict = uniqueName('sched-strict');
    await bed.kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: strict } } });
    await bed.createPolicy(`tenant-${strict}`, { namespaces: [strict], targetTableNamePattern: '$(namespace)\\..+' });
    await bed.apply(readFileSync(join(REPO, 'deploy/kustomize/base/admission-policy.yaml'), 'utf8'));
    // The admission policy sees a new DynamoDBRestorePolicy a moment later: wait until it refuses such a restore.
    await restores.refusedAtAdmission(strict, { targetTableName: `${musicTable}-probe`, source: { backup: { tableName: musicTable, latest: true } } });
    const operator = await bed.startOperator(env({ WATCH_NAMESPACES: strict }));
    const scheduleApi = bed.kubeConfig.makeApiClient(CustomObjectsApi);
    const table = `${musicTable}-refused-$(scheduleTime)`;
    try {
      await scheduleApi.createNamespacedCustomObject({
        group,
        version,
        plural,
        namespace: strict,
        body: { apiVersion: `${group}/${version}`, kind: 'DynamoDBRestoreSchedule', metadata: { name: 'refused' }, spec: { schedule: EVERY_10_S, targetTableName: table, restoreTemplate: { spec: { source: { backup: { tableName: musicTable, latest: true } } } } } },
      });
      let message = '';
      await waitFor('the refusal in the status', async () => {
        const s = (await scheduleApi.getNamespacedCustomObject({ group, version, plural, namespace: strict, name: 'refused' })) as DynamoDBRestoreSchedule;
        const ready = s.status?.conditions?.find((c) => c.type === 'Ready');
        message = ready?.message ?? '';
        return ready?.reason === 'RestoreRefused';
      }, 30_000, 250);
      assert.match(message, /^The run's DynamoDBRestore was refused: .*tenant-/);
      const list = (await scheduleApi.listNamespacedCustomObject({ group, version, plural: 'dynamodbrestores', namespace: strict })) as { items: unknown[] };
      assert.equal(list.items.length, 0);
      assert.equal(bed.proxy.calls.filter((c) => typeof c.body.TargetTableName === 'string' && c.body.TargetTableName.startsWith(`${musicTable}-refused-`)).length, 0);
    } finally {
      await scheduleApi.deleteNamespacedCustomObject({ group, version, plural, namespace: strict, name: 'refused' }).catch((err: unknown) => {
        if (!(err instanceof ApiException && err.code === 404)) throw err;
      });
      await bed.group.stop(operator.process);
    }
  });

  describe('admission', () => {
    const refusal = async (name: string, spec: Record<string, unknown>): Promise<string> => {
      try {
        await api.createNamespacedCustomObject({ group, version, plural, namespace, body: { apiVersion: `${group}/${version}`, kind: 'DynamoDBRestoreSchedule', metadata: { name }, spec } });
      } catch (err) {
        if (err instanceof ApiException && err.code === 422) return String((JSON.parse(String(err.body)) as { message: string }).message);
        throw err;
      }
      await api.deleteNamespacedCustomObject({ group, version, plural, namespace, name });
      return 'accepted';
    };
    const template = { source: { backup: { tableName: 'team-a.orders', latest: true } } };

    it('admits the example schedule, defaulting Forbid, the history limits and a Delete template', async () => {
      const example = parse(readFileSync(join(REPO, 'deploy/examples/schedules/nightly-copy.yaml'), 'utf8')) as { spec: Record<string, unknown> };
      assert.equal(await refusal('example', example.spec), 'accepted');
      await createSchedule('defaults', { targetTableName: 'x.copy-$(scheduleTime)', suspend: true });
      const stored = await getSchedule('defaults');
      await api.deleteNamespacedCustomObject({ group, version, plural, namespace, name: 'defaults' });
      assert.deepEqual(
        [stored.spec.concurrencyPolicy, stored.spec.successfulRestoresHistoryLimit, stored.spec.failedRestoresHistoryLimit, stored.spec.restoreTemplate.spec.deletionPolicy],
        ['Forbid', 3, 1, 'Delete'],
      );
    });

    it('refuses a fixed backupArn (every run would restore the same backup)', async () => {
      const message = await refusal('fixed', {
        schedule: '0 2 * * *',
        targetTableName: 'x.copy-$(scheduleTime)',
        restoreTemplate: { spec: { source: { backupArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d' } } },
      });
      assert.match(message, /a schedule restores something new each run: source.backup \(latest or by backupName\) or source.pointInTime with useLatestRestorableTime/);
    });

    it("refuses a template with ttlSecondsAfterFinished (it could delete the table the schedule publishes)", async () => {
      const message = await refusal('ttl', { schedule: '0 2 * * *', targetTableName: 'x.copy-$(scheduleTime)', restoreTemplate: { spec: { ...template, ttlSecondsAfterFinished: 60 } } });
      assert.match(message, /a schedule's history limits decide when its runs go \(a ttl could delete the table it publishes\)/);
    });

    it('refuses a targetTableName without $(scheduleTime), and a schedule name over 52 characters', async () => {
      assert.match(await refusal('no-time', { schedule: '0 2 * * *', targetTableName: 'x.copy', restoreTemplate: { spec: template } }), /spec.targetTableName: Invalid value: "x.copy"/);
      assert.match(
        await refusal('a'.repeat(53), { schedule: '0 2 * * *', targetTableName: 'x.copy-$(scheduleTime)', restoreTemplate: { spec: template } }),
        /a schedule's name is at most 52 characters: each run is named <schedule>-<scheduled time>/,
      );
    });

    it('lets a template be edited (no spec immutability, unlike a DynamoDBRestore)', async () => {
      await createSchedule('editable', { targetTableName: 'x.copy-$(scheduleTime)', suspend: true });
      await api.patchNamespacedCustomObject({
        group,
        version,
        plural,
        namespace,
        name: 'editable',
        body: [{ op: 'replace', path: '/spec/restoreTemplate/spec/source', value: { backup: { tableName: 'x.other', latest: true } } }],
      });
      const stored = await getSchedule('editable');
      await api.deleteNamespacedCustomObject({ group, version, plural, namespace, name: 'editable' });
      assert.deepEqual(stored.spec.restoreTemplate.spec.source, { backup: { tableName: 'x.other', latest: true } });
    });
  });
});
