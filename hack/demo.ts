// `make demo`: the tutorial's restore on an embedded default: a local control plane, the DynamoDB emulator and the
// operator. Backs up a Music table as MusicBackup, onboards team-a with a DynamoDBRestorePolicy, shows a restore that
// policy refuses at admission (and why), applies deploy/examples/01-restore.yaml with the backup's ARN, and shows the
// resource move through CREATING to ACTIVE. It always ends with what to do next; on a terminal it then keeps
// everything running for a look around until Ctrl-C, otherwise it stops at once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { DynamoDBRestore, DynamoDBRestoreSpec } from '../src/api/dynamodb-restore.ts';
import { dynamodbClient, MUSIC_ITEMS, musicBackup, Restores, scanItems } from '../test/support/restores.ts';
import { REPO, TestBed } from '../test/support/testbed.ts';

const HOLD_CREATING_MS = 8_000;
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const say = (s = '') => console.log(s);
const step = (s: string) => say(`\n${bold('==>')} ${bold(s)}`);

/** Where to go from here, on a real cluster; printed at the end of every run. */
function whatNext(): void {
  step('What to do next');
  say('    On your cluster (Kubernetes >= 1.30), with the AWS side from deploy/iam/README.md:');
  say('      helm install dynamodb-restore-operator deploy/helm/dynamodb-restore-operator \\');
  say('        --namespace dynamodb-restore-system --create-namespace --set region=<your Region>');
  say('    Onboard a team (restores run only where a policy governs):  kubectl apply -f deploy/tenancy/team-a-policy.yaml');
  say('    Restore, and wait for the outcome:  kubectl apply -f deploy/examples/01-restore.yaml');
  say('      kubectl wait --for=condition=Ready ddbr/music-from-backup -n team-a --timeout=1h');
  say('    Other restores (point in time, latest backup, overrides, table settings): deploy/examples/');
}

const example = parse(readFileSync(join(REPO, 'deploy/examples/01-restore.yaml'), 'utf8')) as {
  metadata: { name: string; namespace: string };
  spec: DynamoDBRestoreSpec;
};
const { name, namespace } = example.metadata;

step('Starting a local control plane (etcd + kube-apiserver), the DynamoDB emulator (moto) and the operator');
const bed = await TestBed.start();
let stopping = false;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  say('\nStopping the operator, the emulator and the control plane...');
  await bed.stop();
  say('Stopped. Nothing is left running.');
  process.exit(code);
};
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
  const operator = await bed.startOperator({ LOG_LEVEL: 'info' });
  // As an install does: the ValidatingAdmissionPolicy that enforces DynamoDBRestorePolicy at admission.
  await bed.apply(readFileSync(join(REPO, 'deploy/kustomize/base/admission-policy.yaml'), 'utf8'));
  say(`    kube-apiserver ready, CRDs and the admission policy installed, operator running as ServiceAccount dynamodb-restore-system/dynamodb-restore-operator`);
  say(`    operator logs: ${operator.process.logFile}`);

  step('Creating the tutorial\'s Music table, its items and the backup MusicBackup; then deleting the table');
  const ddb = dynamodbClient(bed);
  const backupArn = await musicBackup(ddb, example.spec.targetTableName);
  say(`    aws dynamodb list-backups  →  MusicBackup  ${backupArn}`);

  // The operator restores only in namespaces a DynamoDBRestorePolicy governs (default-deny): onboard the team first.
  const guardrails = { namespaces: [namespace], allowedRegions: ['us-east-1'], allowedDeletionPolicies: ['Retain' as const] };
  step(`Creating namespace ${namespace} and the platform team's DynamoDBRestorePolicy for it (no policy: no restore)`);
  await bed.createNamespace(namespace, { governed: false });
  await bed.createPolicy(namespace, guardrails);
  say(`    spec: ${JSON.stringify(guardrails)}`);

  // The guardrail a platform team relies on: a restore the policy forbids is refused before it is stored. (Another
  // table name: should the admission policy not have seen the new DynamoDBRestorePolicy yet, the probe it admits is
  // deleted at once and touches nothing of the real restore's.)
  const restores = new Restores(bed);
  step('A guardrail: a scratch copy of MusicBackup with deletionPolicy: Delete, which the policy does not allow');
  const refusal = await restores.refusedAtAdmission(namespace, { targetTableName: 'Music-scratch', source: { backupArn }, deletionPolicy: 'Delete' });
  say(`    kubectl apply  →  refused at admission: ${/denied request: (.*)/.exec(refusal)?.[1] ?? refusal}`);

  step(`Applying deploy/examples/01-restore.yaml (with the emulator's backup ARN) to namespace ${namespace}`);
  bed.proxy.holdCreatingMs = HOLD_CREATING_MS;
  const spec = { ...example.spec, source: { backupArn } };
  say(`    spec: ${JSON.stringify(spec)}`);
  await restores.create(namespace, name, spec);

  step(`Watching dynamodbrestore/${name} (the emulator holds the table in CREATING for ${HOLD_CREATING_MS / 1000}s, as a real restore would be)`);
  const started = Date.now();
  let last = '';
  const done = await restores.waitFor(namespace, name, 'to finish', (r) => r.status?.phase === 'Completed' || r.status?.phase === 'Failed', 120_000, (r: DynamoDBRestore) => {
    const ready = r.status?.conditions?.find((c) => c.type === 'Ready');
    const line = `phase=${r.status?.phase ?? '(no status yet)'}  tableStatus=${r.status?.tableStatus ?? '-'}  Ready=${ready?.status ?? '-'} (${ready?.reason ?? '-'})`;
    if (line !== last) say(`    +${((Date.now() - started) / 1000).toFixed(1).padStart(4)}s  ${line}`);
    last = line;
  });
  say();
  say((await bed.kubectl('get', 'ddbr', '-n', namespace, '-o', 'wide')).replace(/^/gm, '    '));
  const ready = done.status?.conditions?.find((c) => c.type === 'Ready');
  say(`    Ready: ${ready?.message ?? ''}`);

  if (done.status?.phase !== 'Completed') throw new Error(`the restore ended ${done.status?.phase}: ${done.status?.lastError?.message ?? ''}`);
  const items = await scanItems(ddb, example.spec.targetTableName);
  step(`Reading the restored table back: ${items.length} of ${MUSIC_ITEMS.length} items are there`);
  ddb.destroy();

  whatNext();
  if (!process.stdin.isTTY) {
    say('    Run `make demo` in a terminal to keep this demo running for a look around.');
    await stop(items.length === MUSIC_ITEMS.length ? 0 : 1);
  }
  step('Everything keeps running for a look around. In another terminal:');
  say(`    export KUBECONFIG=${bed.adminKubeconfig}`);
  say(`    export PATH=${process.env.TESTBED_ASSETS ?? ''}:$PATH`);
  say(`    kubectl get ddbr -A                       # the restore, with its printer columns`);
  say(`    kubectl describe ddbr -n ${namespace} ${name}   # status, conditions and events`);
  say(`    kubectl explain dynamodbrestore.spec.overrides`);
  say(`    tail -f ${operator.process.logFile}   # the operator's JSON logs`);
  say(`    AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing aws --endpoint-url ${bed.dynamodbEndpoint} --region us-east-1 dynamodb describe-table --table-name Music`);
  say(`\nPress Ctrl-C to stop everything.`);
  await new Promise(() => undefined);
} catch (err) {
  console.error(`\nThe demo failed: ${err instanceof Error ? err.message : String(err)}`);
  console.error(`What to do next: read what the operator logged (the logs under ${bed.group.dir}), then run \`make demo\` again.`);
  await stop(1);
}
