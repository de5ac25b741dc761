// `kubectl ddbr` on the test bed, as a team runs it: installed with npm (`npm install -g` of the production build)
// or with krew (the manifest in deploy/krew), found by kubectl on PATH, run with the team deployer's kubeconfig (the shipped tenant role, nothing more) against
// the real apiserver, the operator and the emulator.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { dynamodbClient, musicBackup, Restores, uniqueName } from '../support/restores.ts';
import { kubectlBinary, REPO, type OperatorProcess, type TestBed } from '../support/testbed.ts';
import { buildPluginArchive, KREW_MANIFEST, krewManifest } from '../../hack/plugin-archive.ts';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('integration: the kubectl plugin (kubectl ddbr)', function () {
  this.timeout(180_000);
  let bed: TestBed;
  let ddb: DynamoDBClient;
  let operator: OperatorProcess;
  let restores: Restores;
  let kubeconfig: string;
  let pluginPath: string;
  let backupArn: string;
  const namespace = uniqueName('plugin');
  const sourceTable = uniqueName('Music');
  const missingBackup = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d';

  /** kubectl ddbr ARGS as the team's deployer; stdin piped in when given. */
  function kubectlDdbr(args: string[], stdin?: string): Promise<Run> {
    return run(kubectlBinary(), ['ddbr', '--kubeconfig', kubeconfig, '-n', namespace, ...args], stdin);
  }

  function run(command: string, args: string[], stdin?: string, env: Record<string, string> = { PATH: pluginPath }): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { env: { HOME: process.env.HOME, ...env } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(stdin ?? '');
    });
  }

  before(async () => {
    bed = await sharedTestBed();
    ddb = dynamodbClient(bed);
    restores = new Restores(bed);
    await bed.createNamespace(namespace);
    await bed.tenantKubeConfig(namespace);
    kubeconfig = await bed.serviceAccountKubeconfig(namespace, 'deployer');
    backupArn = await musicBackup(ddb, sourceTable, true);
    // Installed as the README says: npm install -g of the built package (here, the production bundle's).
    const bundle = dirname(dirname((await bed.productionBundle()).at(-1) ?? ''));
    const prefix = join(bed.group.dir, 'npm-global');
    mkdirSync(prefix, { recursive: true });
    await promisify(execFile)('npm', ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', bundle]);
    pluginPath = [join(prefix, 'bin'), dirname(process.execPath), process.env.PATH].join(':');
    // One restore slot: the queue test sees a restore wait for it.
    operator = await bed.startOperator({ WATCH_NAMESPACES: namespace, MAX_RESTORES_IN_PROGRESS: '1', POLL_MIN_SECONDS: '1' });
  });

  after(async () => {
    bed.proxy.holdCreatingMs = 0;
    await bed.group.stop(operator.process);
    ddb.destroy();
  });

  it('restore --backup-arn creates the resource; wait exits 0 once it is Completed, and the table was restored from that backup', async () => {
    const table = uniqueName('Restored');
    // CREATING long enough for the operator to see it so (the describe test reads each step).
    bed.proxy.holdCreatingMs = 2_000;
    const created = await kubectlDdbr(['restore', 'from-arn', '--table', table, '--backup-arn', backupArn]);
    assert.deepEqual(created, { code: 0, stdout: 'dynamodbrestore.dynamodb.restore.dev/from-arn created\n', stderr: '' });
    assert.deepEqual((await restores.get(namespace, 'from-arn')).spec, { targetTableName: table, source: { backupArn }, deletionPolicy: 'Retain' });

    const waited = await kubectlDdbr(['wait', 'from-arn', '--timeout', '2m']);
    bed.proxy.holdCreatingMs = 0;
    assert.equal(waited.code, 0, waited.stderr);
    assert.match(waited.stdout, new RegExp(`^from-arn: Completed: Table ${table} is ACTIVE`));
    assert.equal((await restores.get(namespace, 'from-arn')).status?.phase, 'Completed');
    assert.deepEqual(bed.proxy.callsOf('RestoreTableFromBackup', table).map((c) => c.body.BackupArn), [backupArn]);
  });

  it('describe prints each step of a Completed restore with its time, in order', async () => {
    const described = await kubectlDdbr(['describe', 'from-arn']);
    assert.equal(described.code, 0, described.stderr);
    assert.match(described.stdout, /^Name: {7}from-arn$/m);
    assert.match(described.stdout, /^Phase: {6}Completed \(RestoreCompleted\)$/m);
    assert.match(described.stdout, new RegExp(`^Source: {5}${backupArn}$`, 'm'));
    const steps = described.stdout.split('Steps:\n')[1]?.split('\n\n')[0]?.trimEnd().split('\n') ?? [];
    const names = steps.map((line) => /^ {2}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ +\+\S+ {2}(.+?)(?: {2,}|$)/.exec(line)?.[1]);
    assert.deepEqual(names, ['Created', 'Validating', 'Restore requested', 'RestoreRequested', 'Table CREATING', 'Restoring', 'Completed', 'RestoreCompleted']);
    assert.doesNotMatch(described.stdout, /What to do:/);
  });

  it('a restore of a backup that does not exist: wait exits 1 as soon as it has Failed, with the reason and the operator\'s sentence', async () => {
    const created = await kubectlDdbr(['restore', 'missing', '--table', uniqueName('Missing'), '--backup-arn', missingBackup]);
    assert.equal(created.code, 0, created.stderr);
    // A timeout far beyond the test's: exit 1 rather than 124 shows it returned on Failed.
    const waited = await kubectlDdbr(['wait', 'missing', '--timeout', '1h']);
    const failed = (await restores.get(namespace, 'missing')).status?.conditions?.find((c) => c.type === 'Failed');
    assert.equal(failed?.reason, 'BackupNotFound');
    assert.match(failed?.message ?? '', /01489173575360-b308cd7d/);
    assert.deepEqual(waited, { code: 1, stdout: '', stderr: `error: missing failed (BackupNotFound): ${failed?.message}\n` });
  });

  it('describe of the failed restore shows the AWS error and the retry command', async () => {
    const described = await kubectlDdbr(['describe', 'missing']);
    assert.equal(described.code, 0, described.stderr);
    const { lastError } = (await restores.get(namespace, 'missing')).status ?? {};
    assert.equal(lastError?.code, 'BackupNotFoundException');
    assert.ok(described.stdout.includes(`AWS error:  BackupNotFoundException\n            ${lastError.message}\n`), described.stdout);
    assert.match(described.stdout, new RegExp(`What to do: .*: kubectl ddbr retry missing -n ${namespace}\\n$`));
  });

  it('retry creates missing-retry-1 with the failed restore\'s spec and a retry-of annotation, then missing-retry-2', async () => {
    const original = await restores.get(namespace, 'missing');
    assert.deepEqual(await kubectlDdbr(['retry', 'missing']), { code: 0, stdout: 'dynamodbrestore.dynamodb.restore.dev/missing-retry-1 created\n', stderr: '' });
    const first = await restores.get(namespace, 'missing-retry-1');
    assert.deepEqual(first.spec, original.spec);
    assert.equal(first.metadata.annotations?.['dynamodb.restore.dev/retry-of'], 'missing');
    await restores.waitFor(namespace, 'missing-retry-1', 'to fail', (r) => r.status?.phase === 'Failed');
    assert.deepEqual(await kubectlDdbr(['retry', 'missing-retry-1']), { code: 0, stdout: 'dynamodbrestore.dynamodb.restore.dev/missing-retry-2 created\n', stderr: '' });
    assert.deepEqual((await restores.get(namespace, 'missing-retry-2')).spec, original.spec);
  });

  it('retry refuses a restore that has not failed, creating nothing', async () => {
    const refused = await kubectlDdbr(['retry', 'from-arn']);
    assert.deepEqual(refused, { code: 2, stdout: '', stderr: 'error: from-arn is Completed; only a Failed restore is retried\n' });
    assert.equal(await restores.find(namespace, 'from-arn-retry-1'), undefined);
  });

  it('restore --dry-run=client -o yaml with the tutorial\'s override flags prints the manifest; kubectl apply admits it and the restore request carries them', async () => {
    const table = uniqueName('Tutorial');
    // The tutorial's combined example, flags as written there (the shell removes its quotes).
    const printed = await kubectlDdbr([
      'restore', 'tutorial', '--target-table-name', table, '--backup-arn', backupArn,
      '--billing-mode-override', 'PROVISIONED',
      '--provisioned-throughput-override', 'ReadCapacityUnits=100,WriteCapacityUnits=100',
      '--global-secondary-index-override', 'IndexName=singers-index,KeySchema=[{AttributeName=SingerName,KeyType=HASH}],Projection={ProjectionType=KEYS_ONLY},ProvisionedThroughput={ReadCapacityUnits=5,WriteCapacityUnits=5}',
      '--sse-specification-override', 'Enabled=true,SSEType=KMS',
      '--dry-run=client', '-o', 'yaml',
    ]);
    assert.equal(printed.code, 0, printed.stderr);
    const spec = {
      targetTableName: table,
      source: { backupArn },
      overrides: {
        billingMode: 'PROVISIONED',
        provisionedThroughput: { readCapacityUnits: 100, writeCapacityUnits: 100 },
        globalSecondaryIndexes: [
          {
            indexName: 'singers-index',
            keySchema: [{ attributeName: 'SingerName', keyType: 'HASH' }],
            projection: { projectionType: 'KEYS_ONLY' },
            provisionedThroughput: { readCapacityUnits: 5, writeCapacityUnits: 5 },
          },
        ],
        sse: { enabled: true, sseType: 'KMS' },
      },
    };
    assert.deepEqual(parse(printed.stdout), { apiVersion: 'dynamodb.restore.dev/v1alpha1', kind: 'DynamoDBRestore', metadata: { name: 'tutorial', namespace }, spec });
    assert.equal(await restores.find(namespace, 'tutorial'), undefined, 'a client dry run creates nothing');

    const applied = await run(kubectlBinary(), ['--kubeconfig', kubeconfig, 'apply', '--validate=strict', '-f', '-'], printed.stdout);
    assert.deepEqual(applied, { code: 0, stdout: 'dynamodbrestore.dynamodb.restore.dev/tutorial created\n', stderr: '' });
    assert.deepEqual((await restores.get(namespace, 'tutorial')).spec, { ...spec, deletionPolicy: 'Retain' });
    assert.equal((await kubectlDdbr(['wait', 'tutorial', '--timeout', '2m'])).code, 0);
    const [request] = bed.proxy.callsOf('RestoreTableFromBackup', table).map((c) => c.body);
    assert.deepEqual(request, {
      TargetTableName: table,
      BackupArn: backupArn,
      BillingModeOverride: 'PROVISIONED',
      ProvisionedThroughputOverride: { ReadCapacityUnits: 100, WriteCapacityUnits: 100 },
      GlobalSecondaryIndexOverride: [
        {
          IndexName: 'singers-index',
          KeySchema: [{ AttributeName: 'SingerName', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'KEYS_ONLY' },
          ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
        },
      ],
      SSESpecificationOverride: { Enabled: true, SSEType: 'KMS' },
    });
  });

  it('restore --dry-run=server has the apiserver check the CEL rules, creating nothing', async () => {
    const refused = await kubectlDdbr(['restore', 'provisioned', '--table', uniqueName('Prov'), '--backup-arn', backupArn, '--billing-mode-override', 'PROVISIONED', '--dry-run=server']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^error: .*billingMode PROVISIONED needs provisionedThroughput/);
    const admitted = await kubectlDdbr(['restore', 'provisioned', '--table', uniqueName('Prov'), '--backup-arn', backupArn, '--dry-run=server']);
    assert.deepEqual(admitted, { code: 0, stdout: 'dynamodbrestore.dynamodb.restore.dev/provisioned created (server dry run)\n', stderr: '' });
    assert.equal(await restores.find(namespace, 'provisioned'), undefined);
  });

  it('the apiserver admits (--dry-run=server) the source each source flag makes, and every override flag', async () => {
    const sources = [
      ['--backup-arn', backupArn],
      ['--backup-name', 'MusicBackup', '--source-table', sourceTable],
      ['--latest-backup-of', sourceTable],
      ['--source-table', sourceTable, '--restore-time', '2026-11-20T10:00:00Z'],
      ['--source-table', `arn:aws:dynamodb:us-east-1:123456789012:table/${sourceTable}`, '--latest-restorable'],
    ];
    const overrides = [
      '--region', 'us-east-1', '--role-arn', 'arn:aws:iam::123456789012:role/dynamodb-restore-team-a', '--deletion-policy', 'Delete',
      '--billing-mode-override', 'PAY_PER_REQUEST', '--on-demand-throughput-override', 'MaxReadRequestUnits=100,MaxWriteRequestUnits=-1',
      '--global-secondary-index-override', '[]',
      '--local-secondary-index-override', '[{"IndexName":"by-album","KeySchema":[{"AttributeName":"Artist","KeyType":"HASH"},{"AttributeName":"AlbumTitle","KeyType":"RANGE"}],"Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["Year"]}}]',
      '--sse-specification-override', 'Enabled=true,SSEType=KMS,KMSMasterKeyId=alias/team-a',
    ];
    for (const source of sources) {
      const admitted = await kubectlDdbr(['restore', 'shapes', '--table', uniqueName('Shape'), ...source, ...overrides, '--dry-run=server']);
      assert.deepEqual(admitted, { code: 0, stdout: 'dynamodbrestore.dynamodb.restore.dev/shapes created (server dry run)\n', stderr: '' }, source.join(' '));
    }
    assert.equal(await restores.find(namespace, 'shapes'), undefined);
  });

  it('restore refuses what the CRD schema refuses before calling the apiserver, naming each field', async () => {
    const refused = await kubectlDdbr(['restore', 'bad', '--table', 'My Music', '--backup-arn', backupArn, '--sse-specification-override', 'Enabled=yes,SSETyp=KMS']);
    assert.deepEqual(refused, {
      code: 2,
      stdout: '',
      stderr: [
        'error: the restore is not valid:',
        `  spec.targetTableName: must match pattern "^[a-zA-Z0-9_.-]+$"`,
        '  spec.overrides.sse: unknown field "sseTyp"',
        '  spec.overrides.sse.enabled: must be boolean',
        '',
      ].join('\n'),
    });
    assert.equal(await restores.find(namespace, 'bad'), undefined);
  });

  describe('while a restore waits for the one restore slot', () => {
    const first = { name: 'slot-holder', table: uniqueName('Holder') };
    const second = { name: 'queued', table: uniqueName('Queued') };

    before(async () => {
      bed.proxy.holdCreatingMs = 15_000;
      assert.equal((await kubectlDdbr(['restore', first.name, '--table', first.table, '--latest-backup-of', sourceTable])).code, 0);
      await restores.waitFor(namespace, first.name, 'to be CREATING', (r) => r.status?.tableStatus === 'CREATING');
      bed.proxy.holdCreatingMs = 0;
      assert.equal((await kubectlDdbr(['restore', second.name, '--table', second.table, '--backup-name', 'MusicBackup', '--source-table', sourceTable])).code, 0);
      await restores.waitFor(namespace, second.name, 'to be Queued', (r) => r.status?.phase === 'Queued');
    });

    it('describe shows its queue position', async () => {
      const described = await kubectlDdbr(['describe', second.name]);
      assert.equal(described.code, 0, described.stderr);
      assert.match(described.stdout, /^Phase: {6}Queued \(Queued\)$/m);
      assert.match(described.stdout, /^Queue: {6}position 1 for one of the account and Region's restore slots \(1: next\)$/m);
      assert.match(described.stdout, /^What to do: nothing: the restore starts when a slot frees up/m);
    });

    it('wait --timeout 1s exits 124 naming the phase it was in', async () => {
      const waited = await kubectlDdbr(['wait', second.name, '--timeout', '1s']);
      assert.deepEqual(waited, { code: 124, stdout: '', stderr: `error: timed out after 1s waiting for ${second.name} (phase Queued)\n` });
    });

    it('both restores complete, each from the backup its flags named', async () => {
      assert.equal((await kubectlDdbr(['wait', first.name, '--timeout', '2m'])).code, 0);
      assert.equal((await kubectlDdbr(['wait', second.name, '--timeout', '2m'])).code, 0);
      assert.deepEqual((await restores.get(namespace, first.name)).spec.source, { backup: { tableName: sourceTable, latest: true } });
      assert.deepEqual((await restores.get(namespace, second.name)).spec.source, { backup: { tableName: sourceTable, backupName: 'MusicBackup' } });
      assert.deepEqual(bed.proxy.callsOf('RestoreTableFromBackup', second.table).map((c) => c.body.BackupArn), [backupArn]);
    });
  });

  it('installs with krew from deploy/krew/ddbr.yaml and the archive `make plugin-archive` builds; kubectl ddbr then runs from that one file', async () => {
    const krew = process.env.TESTBED_KREW;
    if (!krew) throw new Error('TESTBED_KREW is not set: run the tests through `make test`');
    const dir = join(bed.group.dir, 'krew');
    mkdirSync(dir, { recursive: true });
    const { archive, sha256 } = await buildPluginArchive(dir);
    // The manifest as `make plugin-archive` writes it for this build (the committed one names the release's archive).
    const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    const manifest = join(dir, 'ddbr.yaml');
    writeFileSync(manifest, krewManifest(readFileSync(KREW_MANIFEST, 'utf8'), version, sha256));
    const root = join(dir, 'root');
    const installed = await run(krew, ['install', `--manifest=${manifest}`, `--archive=${archive}`], undefined, { KREW_ROOT: root, PATH: pluginPath });
    assert.equal(installed.code, 0, installed.stderr);
    assert.match(installed.stderr, /Installed plugin: ddbr/);
    // kubectl finds krew's kubectl-ddbr (no npm install on this PATH), which runs on node alone.
    const path = [join(root, 'bin'), dirname(process.execPath), '/usr/bin', '/bin'].join(':');
    const described = await run(kubectlBinary(), ['ddbr', 'describe', 'from-arn', '--kubeconfig', kubeconfig, '-n', namespace], undefined, { PATH: path });
    assert.equal(described.code, 0, described.stderr);
    assert.match(described.stdout, /^Name: {7}from-arn\nNamespace: {2}/);
  });

  it('--context picks the kubeconfig context, and an unknown one is refused', async () => {
    assert.equal((await kubectlDdbr(['describe', 'from-arn', '--context', 'testbed'])).code, 0);
    assert.deepEqual(await kubectlDdbr(['describe', 'from-arn', '--context', 'elsewhere']), {
      code: 2,
      stdout: '',
      stderr: 'error: context "elsewhere" is not in the kubeconfig\n',
    });
  });
});
