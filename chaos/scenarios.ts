// The chaos scenarios of issue 9, one implementation parameterised by size: `make chaos` (chaos/run.ts) runs them
// full size and writes docs/reliability.md; test/integration/chaos-small.test.ts runs them small in CI. Each runs on
// a test bed of its own (it restarts the apiserver), on loopback only, bounded in count and time, and is judged by
// the resources' final status and by the fidelity proxy's log of every DynamoDB call.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { CustomObjectsApi, Watch } from '@kubernetes/client-node';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GROUP, PLURAL, VERSION, type DynamoDBRestore, type DynamoDBRestoreStatus } from '../src/api/dynamodb-restore.ts';
import { controlPlaneOf } from '../test/support/control-plane.ts';
import { seededRandom, type RandomFaultKind, type RecordedCall } from '../test/support/fidelity-proxy.ts';
import { waitFor } from '../test/support/processes.ts';
import { dynamodbClient, musicBackup, Restores, uniqueName } from '../test/support/restores.ts';
import { kubectlBinary, type OperatorProcess, type TestBed } from '../test/support/testbed.ts';
import { auditLeadership, auditRestores, tableOfCall } from './invariants.ts';

/** One scenario's size: how many runs, restores per run, and faults per run (kills, restarts, or a call rate). */
export interface ChaosSize {
  runs: number;
  restores: number;
  /** Operator kills, apiserver restarts or leader kills per run; for AWS faults, the fraction of calls (0.2). */
  faults: number;
  /** How long a run waits, after its last fault, for every resource to be Completed or Failed. */
  timeoutMs: number;
}

export type ScenarioName = 'operatorKills' | 'apiserverRestarts' | 'awsFaults' | 'leaderKills';

export const SMALL: Record<ScenarioName, ChaosSize> = {
  operatorKills: { runs: 1, restores: 10, faults: 3, timeoutMs: 90_000 },
  apiserverRestarts: { runs: 1, restores: 10, faults: 1, timeoutMs: 90_000 },
  awsFaults: { runs: 1, restores: 10, faults: 0.2, timeoutMs: 90_000 },
  leaderKills: { runs: 1, restores: 10, faults: 2, timeoutMs: 90_000 },
};

/** About 15 minutes on 2 cores (each run 1–2.5 minutes); the bound is 30. */
export const FULL: Record<ScenarioName, ChaosSize> = {
  operatorKills: { runs: 2, restores: 200, faults: 20, timeoutMs: 300_000 },
  apiserverRestarts: { runs: 2, restores: 100, faults: 5, timeoutMs: 240_000 },
  awsFaults: { runs: 2, restores: 200, faults: 0.2, timeoutMs: 300_000 },
  leaderKills: { runs: 2, restores: 100, faults: 10, timeoutMs: 300_000 },
};

export const TITLES: Record<ScenarioName, string> = {
  operatorKills: 'Operator SIGKILLed at random moments',
  apiserverRestarts: 'kube-apiserver restarted, watch expired (410 Gone)',
  awsFaults: 'AWS calls failing at random',
  leaderKills: 'Two replicas, leader SIGKILLed',
};

/** How long a SlowAnswer is held back. The operator sets no request timeout (the SDK's socket timeout is 300 s). */
export const SLOW_ANSWER_MS = 3_000;
/** How long a restored table stays CREATING, drawn per restore. */
const RESTORE_DURATION = { minMs: 1_000, maxMs: 4_000 };
const FAULT_KINDS: readonly RandomFaultKind[] = ['InternalServerError', 'ThrottlingException', 'ConnectionReset', 'SlowAnswer'];
/** What a retried AWS fault may show as in status.lastError.code. */
const RETRYABLE_CODES: ReadonlySet<string> = new Set(['InternalServerError', 'ThrottlingException', 'NetworkError', 'TimeoutError']);

export interface ScenarioResult {
  scenario: ScenarioName;
  runs: number;
  /** Faults injected, by kind, summed over the runs. */
  faults: Record<string, number>;
  resources: number;
  /** Restores that took effect more than once (per table, beyond the first). */
  duplicates: number;
  /** Resources not Completed at the end. */
  lost: number;
  /** Broken invariants; empty: passed. */
  violations: string[];
  /** What else the run measured (takeover times, errors shown, ...). */
  details: string[];
  seconds: number;
}

/** One run's findings, summed into a ScenarioResult. */
interface RunResult {
  faults: Record<string, number>;
  resources: number;
  duplicates: number;
  lost: number;
  violations: string[];
  details: string[];
}

type RunScenario = (bed: TestBed, size: ChaosSize, random: () => number) => Promise<RunResult>;

const SCENARIOS: Record<ScenarioName, RunScenario> = {
  operatorKills: runOperatorKills,
  apiserverRestarts: runApiserverRestarts,
  awsFaults: runAwsFaults,
  leaderKills: runLeaderKills,
};

/** Runs one scenario size.runs times on bed; seed makes its random moments and faults repeatable. */
export async function runScenario(bed: TestBed, scenario: ScenarioName, size: ChaosSize, seed: number): Promise<ScenarioResult> {
  const started = Date.now();
  const result: ScenarioResult = { scenario, runs: 0, faults: {}, resources: 0, duplicates: 0, lost: 0, violations: [], details: [], seconds: 0 };
  for (let run = 0; run < size.runs; run++) {
    const random = seededRandom(seed + run);
    bed.proxy.random = seededRandom(seed + run + 1_000);
    bed.proxy.restoreDuration = RESTORE_DURATION;
    let one: RunResult;
    try {
      one = await SCENARIOS[scenario](bed, size, random);
    } finally {
      bed.proxy.randomFaults = undefined;
      bed.proxy.clearFaults();
      bed.proxy.resetLimits();
    }
    result.runs += 1;
    for (const [kind, n] of Object.entries(one.faults)) result.faults[kind] = (result.faults[kind] ?? 0) + n;
    result.resources += one.resources;
    result.duplicates += one.duplicates;
    result.lost += one.lost;
    result.violations.push(...one.violations);
    result.details.push(...one.details.map((d) => (size.runs > 1 ? `run ${run + 1}: ${d}` : d)));
  }
  result.seconds = Math.round((Date.now() - started) / 1000);
  return result;
}

/** The faults a result counted, as a sentence for the results table. */
export function describeFaults(result: ScenarioResult): string {
  const f = (kind: string) => result.faults[kind] ?? 0;
  switch (result.scenario) {
    case 'operatorKills':
      return `operator SIGKILLed ${f('SIGKILL')}× (${f('inside a restore call')}× inside a RestoreTableFromBackup call)`;
    case 'apiserverRestarts':
      return (
        `kube-apiserver SIGKILLed and restarted ${f('apiserver restarts')}×, etcd compacted each time; ` +
        `410 Gone confirmed ${f('410 Gone confirmed')}×, operator relisted ${f('operator relisted')}×, ` +
        `restarted after a lost lease ${f('restarts after a lost lease')}×`
      );
    case 'awsFaults': {
      const share = f('calls') ? ((100 * f('faulted')) / f('calls')).toFixed(1) : '0';
      return (
        `${f('faulted')} of ${f('calls')} operator calls (${share} %): ${f('InternalServerError')}× 500, ` +
        `${f('ThrottlingException')}× throttling, ${f('reset before DynamoDB') + f('reset after DynamoDB acted')}× reset ` +
        `(${f('reset after DynamoDB acted')} after DynamoDB acted), ${f('slow answers')}× answer ${SLOW_ANSWER_MS / 1000} s late`
      );
    }
    case 'leaderKills':
      return `leader SIGKILLed ${f('leader SIGKILL')}× (${f('inside a restore call')}× inside a RestoreTableFromBackup call)`;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The scenarios

/**
 * (1) Restores while the operator (one replica) is SIGKILLed at random moments, every other kill while a
 * RestoreTableFromBackup call is in flight (DynamoDB has acted, the operator never hears back); it is restarted after
 * a short pause as the same pod (same POD_NAME, as the kubelet restarts a crashed container), so it takes its Lease
 * back at once. Every resource ends Completed, each table restored once.
 */
async function runOperatorKills(bed: TestBed, size: ChaosSize, random: () => number): Promise<RunResult> {
  const run = await prepare(bed, 'kills', size.restores);
  const env = { ...run.env, POD_NAME: `${run.namespace}-0` };
  let operator = await bed.startOperator(env);
  const creating = run.createAll(size.faults * 2_500, random);
  const faults = { 'SIGKILL': 0, 'inside a restore call': 0 };
  const backMs: number[] = [];
  for (let kill = 0; kill < size.faults; kill++) {
    if (await killMoment(bed, random, kill)) faults['inside a restore call'] += 1;
    operator.process.child.kill('SIGKILL');
    await operator.process.exited;
    const killedAt = Date.now();
    faults.SIGKILL += 1;
    await sleep(between(random, 200, 1_500));
    operator = await bed.startOperator(env);
    await awaitLeader([operator]);
    backMs.push(Date.now() - killedAt);
  }
  await creating;
  const statuses = await awaitFinal(bed, run, size.timeoutMs);
  await bed.group.stop(operator.process);
  const result = judge(bed, run, statuses);
  result.details.push(`leading again ${seconds(backMs)} after a kill (pause and start-up included)`);
  return { ...result, faults };
}

/**
 * (2) kube-apiserver SIGKILLed mid-run and started again on the same port, with the same etcd. While it is down,
 * etcd is written and compacted, so any watch resumed from before the crash gets 410 Gone (confirmed each time by a
 * watch of our own) and the operator must relist (seen in the new apiserver's request counts). Half of each batch of
 * resources is created before the crash (in flight through it), half as soon as the apiserver is back (while the
 * operator's watch is still down); the resync period (600 s) is far beyond the run, so it cannot hide a loss. An
 * outage longer than the renew deadline costs the operator its lease, and it exits (as controller-runtime's does): it
 * is run as its Deployment runs it, started again as the same pod, and an exit for any other reason is a violation.
 */
async function runApiserverRestarts(bed: TestBed, size: ChaosSize, random: () => number): Promise<RunResult> {
  const plane = controlPlaneOf(bed.group);
  if (!plane) throw new Error('The apiserver scenario needs the local control plane (not E2E_USE_KUBECONFIG)');
  const run = await prepare(bed, 'apiserver', size.restores);
  const operator = await supervise(bed, { ...run.env, POD_NAME: `${run.namespace}-0`, RESYNC_PERIOD_SECONDS: '600' });
  const faults = { 'apiserver restarts': 0, '410 Gone confirmed': 0, 'operator relisted': 0, 'restarts after a lost lease': 0 };
  const violations: string[] = [];
  const relistsMs: number[] = [];
  const batch = Math.ceil(size.restores / size.faults);
  for (let restart = 0; restart < size.faults; restart++) {
    const from = restart * batch;
    const middle = Math.min(size.restores, from + Math.ceil(batch / 2));
    await run.createSome(from, middle, 2_000, random);
    await sleep(between(random, 0, 1_500));
    await plane.killApiserver();
    const before = await etcd(plane.etcdUrl, 'range', { key: b64('chaos') });
    // Two writes then a compaction: every revision up to the crash is gone from etcd.
    for (const n of [1, 2]) await etcd(plane.etcdUrl, 'put', { key: b64(`chaos/${run.namespace}/${restart}`), value: b64(String(n)) });
    const latest = await etcd(plane.etcdUrl, 'range', { key: b64('chaos') });
    await etcd(plane.etcdUrl, 'compaction', { revision: latest.header.revision, physical: true });
    await sleep(between(random, 500, 2_000));
    await plane.startApiserver();
    const back = Date.now();
    faults['apiserver restarts'] += 1;
    await run.createSome(middle, Math.min(size.restores, from + batch), 500, random);
    const answer = await watchAnswer(bed, run.namespace, before.header.revision);
    if (answer === 410) faults['410 Gone confirmed'] += 1;
    else violations.push(`a watch from revision ${before.header.revision}, before the crash, answered ${answer}, not 410 Gone`);
    // Only the operator lists restores namespace by namespace (awaitFinal lists across the cluster).
    const relisted = await waitFor('the operator to relist', async () => (await namespacedLists(bed)) > 0, 30_000, 100).then(
      () => true,
      () => false,
    );
    if (relisted) {
      faults['operator relisted'] += 1;
      relistsMs.push(Date.now() - back);
    } else violations.push('the operator did not list restores again within 30 s of the apiserver restart');
  }
  const statuses = await awaitFinal(bed, run, size.timeoutMs);
  const judged = judge(bed, run, statuses);
  const supervised = await operator.stop();
  faults['restarts after a lost lease'] = supervised.restarts;
  judged.violations.push(...supervised.unexpectedExits);
  violations.push(...judged.violations);
  return { ...judged, faults, violations, details: [...judged.details, `the operator relisted ${seconds(relistsMs)} after the apiserver was ready`] };
}

/**
 * (3) A fraction of the operator's DynamoDB calls fail at random: InternalServerError (500), ThrottlingException,
 * a connection reset (before or after DynamoDB acted) or an answer held back SLOW_ANSWER_MS. All complete, no
 * restore takes effect twice, and the status shows the retries: every resource whose own calls met a visible fault
 * showed a retryable lastError on the way, and none keeps one once Completed.
 */
async function runAwsFaults(bed: TestBed, size: ChaosSize, random: () => number): Promise<RunResult> {
  const run = await prepare(bed, 'aws', size.restores);
  const key = `${run.namespace}-operator`;
  const shown = new Map<string, Set<string>>();
  const nonRetryable: string[] = [];
  const stopWatching = await watchStatuses(bed, run.namespace, (restore) => {
    const error = restore.status?.lastError;
    if (!error) return;
    if (!error.retryable || !RETRYABLE_CODES.has(error.code)) nonRetryable.push(`${restore.metadata.name}: ${error.code} (retryable ${String(error.retryable)})`);
    const codes = shown.get(restore.metadata.name) ?? new Set<string>();
    shown.set(restore.metadata.name, codes.add(error.code));
  });
  bed.proxy.randomFaults = { rate: size.faults, kinds: FAULT_KINDS, slowMs: SLOW_ANSWER_MS, accessKeyIds: [key] };
  const operator = await bed.startOperator({ ...run.env, AWS_ACCESS_KEY_ID: key });
  await run.createAll(size.restores * 100, random);
  const statuses = await awaitFinal(bed, run, size.timeoutMs);
  bed.proxy.randomFaults = undefined;
  await bed.group.stop(operator.process);
  stopWatching();

  const result = judge(bed, run, statuses);
  const calls = bed.proxy.calls.filter((c) => c.accessKeyId === key);
  const met = calls.filter((c) => c.injected);
  const count = (kind: RandomFaultKind, after?: boolean) =>
    met.filter((c) => c.injected === kind && (after === undefined || (c.upstreamStatus !== undefined) === after)).length;
  const faults = {
    'calls': calls.length,
    'faulted': met.length,
    'InternalServerError': count('InternalServerError'),
    'ThrottlingException': count('ThrottlingException'),
    'reset before DynamoDB': count('ConnectionReset', false),
    'reset after DynamoDB acted': count('ConnectionReset', true),
    'slow answers': count('SlowAnswer'),
  };
  // A fault the operator saw as an error (all but a slow answer) on a call about one resource's table.
  const visible = new Set(met.filter((c) => c.injected !== 'SlowAnswer').map(tableOfCall).filter((t) => t !== undefined));
  const unshown = run.names.filter((name, i) => visible.has(run.tables[i] ?? '') && !shown.has(name));
  if (unshown.length > 0) result.violations.push(`no retryable lastError ever shown by ${unshown.length} resources whose calls failed: ${unshown.slice(0, 5).join(', ')}`);
  if (nonRetryable.length > 0) result.violations.push(`unexpected lastError: ${nonRetryable.slice(0, 5).join('; ')}`);
  if (shown.size === 0) result.violations.push('no resource ever showed a retry in its status');
  const kept = run.names.filter((name) => statuses.get(name)?.phase === 'Completed' && statuses.get(name)?.lastError);
  if (kept.length > 0) result.violations.push(`Completed with a lastError left: ${kept.slice(0, 5).join(', ')}`);
  const byCode = new Map<string, number>();
  for (const codes of shown.values()) for (const code of codes) byCode.set(code, (byCode.get(code) ?? 0) + 1);
  result.details.push(
    `${shown.size} of ${run.names.length} resources showed a retryable lastError (${[...byCode].map(([c, n]) => `${c}: ${n}`).join(', ')})`,
  );
  return { ...result, faults };
}

/**
 * (4) Two replicas, each signing its DynamoDB calls with its own access key; the leader is SIGKILLed again and again
 * (every other time inside a restore call) and a new replica started at once, so two are always running. The proxy's
 * log is the judge: the replicas' periods of activity never overlap, no table's calls go back to an earlier replica,
 * and each table is restored once.
 */
async function runLeaderKills(bed: TestBed, size: ChaosSize, random: () => number): Promise<RunResult> {
  const run = await prepare(bed, 'leader', size.restores);
  const keys: string[] = [];
  const startReplica = async () => {
    const key = `${run.namespace}-replica-${keys.length + 1}`;
    keys.push(key);
    return bed.startOperator({ ...run.env, POD_NAME: key, AWS_ACCESS_KEY_ID: key });
  };
  const replicas = [await startReplica(), await startReplica()];
  const creating = run.createAll(size.faults * 10_000, random);
  const faults = { 'leader SIGKILL': 0, 'inside a restore call': 0 };
  const takeoversMs: number[] = [];
  for (let kill = 0; kill < size.faults; kill++) {
    const leader = await awaitLeader(replicas);
    if (await killMoment(bed, random, kill)) faults['inside a restore call'] += 1;
    leader.process.child.kill('SIGKILL');
    await leader.process.exited;
    const killedAt = Date.now();
    faults['leader SIGKILL'] += 1;
    replicas.splice(replicas.indexOf(leader), 1);
    replicas.push(await startReplica());
    await awaitLeader(replicas);
    takeoversMs.push(Date.now() - killedAt);
  }
  await creating;
  const statuses = await awaitFinal(bed, run, size.timeoutMs);
  await Promise.all(replicas.map((r) => bed.group.stop(r.process)));

  const result = judge(bed, run, statuses);
  const leadership = auditLeadership(bed.proxy.calls, keys);
  result.violations.push(...leadership.problems);
  // Else the judge saw no handover at all (the calls not told apart by their keys): nothing was shown.
  if (leadership.active < 2) result.violations.push(`the proxy's log shows AWS calls from ${leadership.active} replica(s), not from each leader in turn`);
  result.details.push(`takeover after a kill: ${seconds(takeoversMs)}; gap between two replicas' AWS calls: ${seconds(leadership.handoversMs)}`);
  return { ...result, faults };
}

// ---------------------------------------------------------------------------------------------------------------
// Shared steps

/** What the operator logs before it exits on a lost lease (src/runtime/manager.ts). */
const LOST_LEASE = 'Lost the leader lease; exiting';

/**
 * The operator run as its Deployment runs it: started again, as the same pod, whenever it exits. The only exit
 * expected is the one after a lost lease (exit code 1, the log saying so); any other is reported.
 */
async function supervise(bed: TestBed, env: Record<string, string>): Promise<{ stop(): Promise<{ restarts: number; unexpectedExits: string[] }> }> {
  let operator = await bed.startOperator(env);
  let stopping = false;
  let restarts = 0;
  const unexpectedExits: string[] = [];
  const watching = (async () => {
    for (;;) {
      const code = await operator.process.exited;
      if (stopping) return;
      const log = await readFile(operator.process.logFile, 'utf8').catch(() => '');
      if (code !== 1 || !log.includes(LOST_LEASE)) unexpectedExits.push(`the operator exited (code ${String(code)}) without losing its lease; see ${operator.process.logFile}`);
      // As the kubelet would, after a pause; a start that fails (the apiserver still down) is tried again.
      for (;;) {
        await sleep(1_000);
        try {
          operator = await bed.startOperator(env);
          if (stopping) return await bed.group.stop(operator.process);
          break;
        } catch {
          if (stopping) return;
        }
      }
      restarts += 1;
    }
  })();
  return {
    stop: async () => {
      stopping = true;
      await bed.group.stop(operator.process);
      await watching;
      return { restarts, unexpectedExits };
    },
  };
}

interface Run {
  namespace: string;
  names: string[];
  tables: string[];
  env: Record<string, string>;
  /** Creates every resource, spread over about overMs. */
  createAll(overMs: number, random: () => number): Promise<void>;
  /** Creates resources [from, to), spread over about overMs. */
  createSome(from: number, to: number, overMs: number, random: () => number): Promise<void>;
}

/** A namespace, a backup (made with the test's own credentials) and the resources' names, not yet created. */
async function prepare(bed: TestBed, label: string, count: number): Promise<Run> {
  const namespace = uniqueName(`chaos-${label}`);
  await bed.createNamespace(namespace);
  const ddb: DynamoDBClient = dynamodbClient(bed);
  const backupArn = await musicBackup(ddb, uniqueName('ChaosSource')).finally(() => ddb.destroy());
  const restores = new Restores(bed);
  const names = Array.from({ length: count }, (_, i) => `restore-${String(i).padStart(3, '0')}`);
  const tables = names.map((name) => `${namespace}-${name}`);
  const createSome = async (from: number, to: number, overMs: number, random: () => number) => {
    for (let i = from; i < to; i++) {
      await restores.create(namespace, names[i] ?? '', { targetTableName: tables[i] ?? '', source: { backupArn } });
      await sleep(between(random, 0, (2 * overMs) / Math.max(1, to - from)));
    }
  };
  return {
    namespace,
    names,
    tables,
    env: { WATCH_NAMESPACES: namespace, LOG_LEVEL: 'info' },
    createAll: (overMs, random) => createSome(0, count, overMs, random),
    createSome,
  };
}

/** The range of some durations, for a person: "8.2–9.6 s". */
function seconds(ms: number[]): string {
  return ms.length ? `${(Math.min(...ms) / 1000).toFixed(1)}–${(Math.max(...ms) / 1000).toFixed(1)} s` : 'none';
}

function between(random: () => number, minMs: number, maxMs: number): number {
  return minMs + random() * (maxMs - minMs);
}

/**
 * Waits a random 0.5–4 s; then, on every other kill, for a RestoreTableFromBackup call that the proxy forwards and
 * answers only after 3 s, so the kill lands after DynamoDB acted and before the operator heard. True if it did.
 */
async function killMoment(bed: TestBed, random: () => number, kill: number): Promise<boolean> {
  await sleep(between(random, 500, 4_000));
  if (kill % 2 === 1) return false;
  const from = bed.proxy.calls.length;
  bed.proxy.inject({ operation: 'RestoreTableFromBackup', delayMs: 3_000, times: 1 });
  const inFlight = (c: RecordedCall) => c.operation === 'RestoreTableFromBackup';
  const caught = await waitFor('a restore call', () => Promise.resolve(bed.proxy.calls.slice(from).some(inFlight)), 5_000, 20).then(
    () => true,
    () => false,
  );
  bed.proxy.clearFaults();
  // The proxy records a call on arrival and forwards it at once; give moto a moment to act on it.
  if (caught) await sleep(200);
  return caught;
}

/** The namespace's restores, listed across the cluster by a field selector, so as not to count as the operator's lists. */
async function listStatuses(bed: TestBed, namespace: string): Promise<Map<string, DynamoDBRestoreStatus | undefined>> {
  const api = bed.kubeConfig.makeApiClient(CustomObjectsApi);
  const fieldSelector = `metadata.namespace=${namespace}`;
  const list = (await api.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, fieldSelector })) as { items: DynamoDBRestore[] };
  return new Map(list.items.map((r) => [r.metadata.name, r.status]));
}

/** LISTs of restores in a namespace the apiserver has answered since it started (its apiserver_request_total). */
async function namespacedLists(bed: TestBed): Promise<number> {
  // kubectl as bed.kubectl runs it, with room for the whole exposition (megabytes).
  const { stdout } = await promisify(execFile)(kubectlBinary(), ['--kubeconfig', bed.adminKubeconfig, 'get', '--raw', '/metrics'], { maxBuffer: 64 << 20 });
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('apiserver_request_total{') && ['resource="dynamodbrestores"', 'scope="namespace"', 'verb="LIST"', 'code="200"'].every((label) => l.includes(label)))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

/** Polls until every resource of the run is Completed or Failed, or timeoutMs passed; the statuses last read. */
async function awaitFinal(bed: TestBed, run: Run, timeoutMs: number): Promise<Map<string, DynamoDBRestoreStatus | undefined>> {
  const deadline = Date.now() + timeoutMs;
  let statuses = new Map<string, DynamoDBRestoreStatus | undefined>();
  for (;;) {
    statuses = await listStatuses(bed, run.namespace).catch(() => statuses);
    const final = run.names.every((name) => ['Completed', 'Failed'].includes(statuses.get(name)?.phase ?? ''));
    if (final || Date.now() > deadline) return statuses;
    await sleep(1_000);
  }
}

/** Lost resources (not Completed) and tables not restored exactly once. */
function judge(bed: TestBed, run: Run, statuses: Map<string, DynamoDBRestoreStatus | undefined>): Omit<RunResult, 'faults'> {
  const violations: string[] = [];
  const lost = run.names.filter((name) => statuses.get(name)?.phase !== 'Completed');
  for (const name of lost.slice(0, 5)) {
    const status = statuses.get(name);
    const ready = status?.conditions?.find((c) => c.type === 'Ready');
    violations.push(`${run.namespace}/${name} ended ${status?.phase ?? 'without a phase'}${ready ? ` (${ready.reason}: ${ready.message})` : ''}`);
  }
  if (lost.length > 5) violations.push(`... and ${lost.length - 5} more not Completed`);
  const audit = auditRestores(bed.proxy.calls, run.tables);
  violations.push(...audit.problems.slice(0, 5));
  const details = audit.refusedRepeats > 0 ? [`${audit.refusedRepeats} repeated restore calls refused by DynamoDB (TableAlreadyExists)`] : [];
  return { resources: run.names.length, duplicates: audit.duplicates, lost: lost.length, violations, details };
}

async function leads(operator: OperatorProcess): Promise<boolean> {
  const metrics = await operator.metrics().catch(() => '');
  return /^leader_election_is_leader 1$/m.test(metrics);
}

async function awaitLeader(replicas: OperatorProcess[]): Promise<OperatorProcess> {
  let leader: OperatorProcess | undefined;
  await waitFor('a leader', async () => {
    const states = await Promise.all(replicas.map(leads));
    leader = replicas[states.indexOf(true)];
    return leader !== undefined;
  }, 30_000, 100);
  if (!leader) throw new Error('unreachable');
  return leader;
}

/** Calls onChange with every version of the namespace's restores until the returned function is called. */
async function watchStatuses(bed: TestBed, namespace: string, onChange: (restore: DynamoDBRestore) => void): Promise<() => void> {
  let stopped = false;
  let abort: AbortController | undefined;
  let resourceVersion = '';
  const start = async (): Promise<void> => {
    abort = await new Watch(bed.kubeConfig).watch(
      `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}`,
      { resourceVersion },
      (_phase, restore: DynamoDBRestore) => {
        resourceVersion = restore.metadata?.resourceVersion ?? resourceVersion;
        if (restore.status) onChange(restore);
      },
      () => {
        if (!stopped) void sleep(200).then(start);
      },
    );
  };
  await start();
  return () => {
    stopped = true;
    abort?.abort();
  };
}

/** What a watch of the namespace's restores from resourceVersion answers first: 410 for Gone, else what it got. */
async function watchAnswer(bed: TestBed, namespace: string, resourceVersion: string): Promise<number | string> {
  return new Promise((resolve, reject) => {
    let abort: AbortController | undefined;
    const settle = (answer: number | string) => {
      abort?.abort();
      resolve(answer);
    };
    new Watch(bed.kubeConfig)
      .watch(
        `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}`,
        { resourceVersion },
        (phase, obj: { code?: number }) => settle(phase === 'ERROR' ? (obj.code ?? 'ERROR') : phase),
        (err: unknown) => settle((err as { statusCode?: number } | null)?.statusCode ?? 'ended'),
      )
      .then((a) => (abort = a), reject);
  });
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A call to etcd's v3 JSON gateway (kv/range, kv/put, kv/compaction). */
async function etcd(etcdUrl: string, call: 'range' | 'put' | 'compaction', body: Record<string, unknown>): Promise<{ header: { revision: string } }> {
  const res = await fetch(`${etcdUrl}/v3/kv/${call}`, { method: 'POST', body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`etcd ${call}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { header: { revision: string } };
}
