// `make bench`: the operator against the test bed with the fidelity proxy enforcing AWS's limits, measured, and the
// results table written to docs/benchmarks.md. Timing is measured here, never asserted in the test suite.
//
//   (b) apply → restore call latency with a free slot     (sequential applies)
//   (a) a burst of BENCH_RESTORES restores applied at once (time to all Completed vs the limits' ideal)
//   (c) ACTIVE → detection lag and DescribeTable calls per restore, from (a), against a fixed 5-second poll
//   (e) restart with BENCH_IDLE more finished resources    (time until /readyz)
//   (d) BENCH_IDLE_MINUTES idle with every resource final  (AWS calls per minute, operator RSS), while
//   (a') the same burst runs through the aws CLI in a loop with `wait table-exists` (the baseline), under its own
//        access key so the proxy's log tells the two apart.
import { execFile, spawn } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { GROUP, PLURAL, VERSION, type DynamoDBRestore } from '../src/api/dynamodb-restore.ts';
import { seededRandom } from '../test/support/fidelity-proxy.ts';
import { dynamodbClient, musicBackup, Restores } from '../test/support/restores.ts';
import { EMULATOR_CREDENTIALS, REPO, TestBed, type OperatorProcess } from '../test/support/testbed.ts';

const N = Number(process.env.BENCH_RESTORES ?? 1000);
const IDLE = Number(process.env.BENCH_IDLE ?? 5000);
const IDLE_MINUTES = Number(process.env.BENCH_IDLE_MINUTES ?? 10);
const LATENCY_SAMPLES = 40;
// The limits the proxy enforces, per account and Region. AWS documents 50 restores in progress; its control-plane
// throttle is documented at 2,500 requests per second, so 50/s here is far stricter than AWS.
const SLOTS = 50;
const RATE = 50;
const DURATION = { minMs: 5_000, maxMs: 15_000 };
const AWS_CLI = process.env.BENCH_AWS_CLI ?? 'aws';
const BASELINE_PARALLELISM = SLOTS;
const BASELINE_KEY = 'baseline';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const log = (message: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);

/** Runs tasks with at most `limit` at once. */
async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await task(items[next++] as T);
  }));
}

/** The work-conserving lower bound of running restores of these durations through the limits. */
function ideal(durationsMs: number[]): number {
  const slotBound = durationsMs.reduce((a, b) => a + b, 0) / SLOTS;
  // The fewest calls a restore can take: DescribeBackup, the restore, one DescribeTable that sees ACTIVE, TagResource.
  const callBound = (4 * durationsMs.length * 1000) / RATE;
  return Math.max(slotBound, callBound, Math.max(...durationsMs));
}


async function main(): Promise<void> {
  const started = Date.now();
  const loadAtStart = loadavg()[0] ?? 0;
  log(`Starting the test bed: kube-apiserver + etcd, moto behind the fidelity proxy (${SLOTS} restores in progress, ${RATE} calls/s, restores ${DURATION.minMs / 1000}-${DURATION.maxMs / 1000} s)`);
  const bed = await TestBed.start();
  let operator: OperatorProcess | undefined;
  try {
    const { proxy } = bed;
    proxy.maxRestoresInProgress = SLOTS;
    proxy.controlPlaneRate = { perSecond: RATE, burst: RATE };
    proxy.restoreDuration = DURATION;
    proxy.random = seededRandom(20261125);
    const ddb = dynamodbClient(bed);
    const backupArn = await musicBackup(ddb, 'BenchMusic');
    ddb.destroy();
    const restores = new Restores(bed);
    const api = bed.kubeConfig.makeApiClient(CustomObjectsApi);
    for (const ns of ['bench', 'bench-idle']) await bed.createNamespace(ns);
    const bundle = await bed.productionBundle();
    const operatorEnv = {
      LOG_LEVEL: 'info',
      MAX_RESTORES_IN_PROGRESS: String(SLOTS),
      // A little under the proxy's rate: the operator paces itself instead of meeting throttling.
      AWS_CALLS_PER_SECOND: String(Math.floor(RATE * 0.9)),
      MAX_CONCURRENT_RECONCILES: '20',
    };
    operator = await bed.startOperator(operatorEnv, bundle);
    const listAll = async (namespace: string) =>
      ((await api.listNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace })) as { items: DynamoDBRestore[] }).items;
    let deepestQueue = 0;
    const waitAllCompleted = async (namespace: string, count: number, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const items = await listAll(namespace);
        deepestQueue = Math.max(deepestQueue, ...items.map((r) => r.status?.queuePosition ?? 0));
        const done = items.filter((r) => r.status?.phase === 'Completed' || r.status?.phase === 'Failed').length;
        if (done >= count) return { at: Date.now(), items };
        if (Date.now() > deadline) throw new Error(`${done} of ${count} in ${namespace} final after ${timeoutMs} ms`);
        await sleep(500);
      }
    };

    // (b) apply → restore call, a slot free.
    log(`(b) ${LATENCY_SAMPLES} applies one after another, each with a free slot`);
    const latencies: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const table = `BenchLatency${i}`;
      const applied = Date.now();
      await restores.create('bench', `latency-${i}`, { targetTableName: table, source: { backupArn } });
      for (;;) {
        const call = proxy.callsOf('RestoreTableFromBackup', table)[0];
        if (call) {
          latencies.push(call.at.getTime() - applied);
          break;
        }
        await sleep(5);
      }
    }
    await waitAllCompleted('bench', LATENCY_SAMPLES, 120_000);

    // (a) the burst.
    log(`(a) ${N} restores applied at once`);
    const mark = proxy.calls.length;
    const burstStart = Date.now();
    const tables = Array.from({ length: N }, (_, i) => `BenchBurst${i}`);
    await pool(tables, 25, async (table) => {
      await restores.create('bench', table.toLowerCase(), { targetTableName: table, source: { backupArn } });
    });
    const applied = Date.now() - burstStart;
    const burst = await waitAllCompleted('bench', LATENCY_SAMPLES + N, 40 * 60_000);
    const burstMs = burst.at - burstStart;
    // Every table name is used once per run, so a table's calls in the proxy's log are this burst's.
    const burstCalls = proxy.calls.slice(mark);
    const durations = tables.map((t) => proxy.creatingMsOf(t) ?? NaN);
    const burstIdeal = ideal(durations);
    const refused = burstCalls.filter((c) => c.accessKeyId === EMULATOR_CREDENTIALS.AWS_ACCESS_KEY_ID && (c.error === 'ThrottlingException' || c.error === 'LimitExceededException')).length;
    const surfaced = burst.items.filter((r) => tables.includes(r.spec.targetTableName) && (r.status?.phase !== 'Completed' || r.status.lastError)).length;
    const restoreCalls = tables.map((t) => proxy.callsOf('RestoreTableFromBackup', t).filter((c) => !c.error).length);
    log(`(a) all Completed in ${seconds(burstMs)} (applying took ${seconds(applied)}); ideal ${seconds(burstIdeal)}`);

    // (c) detection lag and polling cost, from the burst; the fixed 5-second poll on the same durations.
    const lags: number[] = [];
    const describes: number[] = [];
    for (const [i, table] of tables.entries()) {
      const restoreCall = proxy.callsOf('RestoreTableFromBackup', table).find((c) => !c.error);
      const activeAt = (restoreCall?.at.getTime() ?? NaN) + (durations[i] ?? NaN);
      const polls = proxy.callsOf('DescribeTable', table);
      const seen = polls.find((c) => c.at.getTime() >= activeAt);
      if (seen) lags.push(seen.at.getTime() - activeAt);
      describes.push(polls.length);
    }
    const fixedPolls = durations.map((d) => Math.floor(d / 5_000) + 1);
    const fixedLags = durations.map((d) => 5_000 * Math.ceil(d / 5_000) - d);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

    await bed.group.stop(operator.process);
    operator = undefined;

    // (e) restart with many finished resources.
    log(`(e) ${IDLE} finished resources written, then the operator restarted`);
    await pool(Array.from({ length: IDLE }, (_, i) => i), 50, async (i) => {
      const name = `idle-${i}`;
      const created = await restores.create('bench-idle', name, { targetTableName: `BenchIdle${i}`, source: { backupArn } });
      const now = new Date().toISOString();
      await api.replaceNamespacedCustomObjectStatus({
        group: GROUP, version: VERSION, plural: PLURAL, namespace: 'bench-idle', name,
        body: {
          ...created,
          status: {
            phase: 'Completed', observedGeneration: 1, backupArn, source: backupArn, tableStatus: 'ACTIVE', completionTime: now,
            conditions: [{ type: 'Ready', status: 'True', reason: 'RestoreCompleted', message: 'Done.', lastTransitionTime: now, observedGeneration: 1 }],
          },
        },
      });
    });
    const total = (await listAll('bench')).length + (await listAll('bench-idle')).length;
    const restartAt = Date.now();
    operator = await bed.startOperator(operatorEnv, bundle);
    const readyMs = Date.now() - restartAt;
    log(`(e) ready in ${seconds(readyMs)} with ${total} resources`);

    // (d) idle, while (a') the CLI baseline runs under its own access key.
    log(`(d) ${IDLE_MINUTES} min idle; meanwhile (a') the aws CLI baseline: ${N} restores, ${BASELINE_PARALLELISM} at a time`);
    const idleMark = proxy.calls.length;
    const pid = operator.process.child.pid;
    const rss: number[] = [];
    const sampler = setInterval(() => {
      const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (kb) rss.push(Number(kb) / 1024);
    }, 5_000);
    const baselineTables = Array.from({ length: N }, (_, i) => `BenchCli${i}`);
    const baselineStart = Date.now();
    const baseline = new Promise<number>((resolve, reject) => {
      const script = `"${AWS_CLI}" dynamodb restore-table-from-backup --target-table-name "$1" --backup-arn "${backupArn}" >/dev/null && "${AWS_CLI}" dynamodb wait table-exists --table-name "$1"`;
      const child = spawn('bash', ['-c', `xargs -P ${BASELINE_PARALLELISM} -I{} bash -c '${script}' _ {}`], {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, AWS_ACCESS_KEY_ID: BASELINE_KEY, AWS_SECRET_ACCESS_KEY: 'baseline', AWS_DEFAULT_REGION: 'us-east-1', AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint },
        stdio: ['pipe', 'inherit', 'inherit'],
      });
      child.stdin.end(baselineTables.join('\n'));
      child.on('exit', (code) => (code === 0 ? resolve(Date.now() - baselineStart) : reject(new Error(`the baseline exited ${code}`))));
    });
    const idleStart = Date.now();
    await sleep(IDLE_MINUTES * 60_000);
    clearInterval(sampler);
    const idleMinutes = (Date.now() - idleStart) / 60_000;
    const idleCalls = proxy.calls.slice(idleMark).filter((c) => c.accessKeyId === EMULATOR_CREDENTIALS.AWS_ACCESS_KEY_ID).length;
    const baselineMs = await baseline;
    const baselineCalls = proxy.calls.filter((c) => c.accessKeyId === BASELINE_KEY);
    const baselineDurations = baselineTables.map((t) => proxy.creatingMsOf(t) ?? NaN);
    const baselineIdeal = ideal(baselineDurations);
    const baselineRefused = baselineCalls.filter((c) => c.error === 'ThrottlingException' || c.error === 'LimitExceededException').length;
    log(`(a') the baseline finished in ${seconds(baselineMs)}; ideal ${seconds(baselineIdeal)}`);

    const run = promisify(execFile);
    const versionOut = await run(AWS_CLI, ['--version']);
    const awsVersion = (versionOut.stdout || versionOut.stderr).trim().split(' ')[0] ?? 'aws CLI';
    const kubeVersion = JSON.parse((await bed.kubectl('version', '-o', 'json'))) as { serverVersion?: { gitVersion?: string } };
    const motoVersion = (await run(join(process.env.TESTBED_MOTO_SERVER ?? '', '..', 'python'), ['-c', 'import moto; print(moto.__version__)'])).stdout.trim();
    const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
    const met = (ok: boolean) => (ok ? 'met' : 'not met');
    const rows: Array<[string, string, string, string]> = [
      [`(a) ${N} restores at once: time to all Completed`, `${seconds(burstMs)}; ideal ${seconds(burstIdeal)} → ${pct(burstIdeal / burstMs)} of ideal`, '≥ 95 % of ideal', met(burstIdeal / burstMs >= 0.95)],
      ['(a) throttling / limit errors', `${refused} answered to the operator, ${surfaced} surfaced in a status; restore calls per resource: ${Math.min(...restoreCalls)}..${Math.max(...restoreCalls)}; deepest queue position seen ${deepestQueue} (the list is read every 0.5 s)`, '0 surfaced', met(surfaced === 0)],
      [`(a') the same burst, aws CLI loop (${BASELINE_PARALLELISM} parallel, wait table-exists)`, `${seconds(baselineMs)}; ${pct(baselineIdeal / baselineMs)} of its ideal (${seconds(baselineIdeal)}); ${baselineRefused} refused calls; operator/baseline time ${(burstMs / baselineMs).toFixed(2)}`, 'a ratio', '-'],
      ['(b) apply → restore call, free slot', `p50 ${quantile(latencies, 0.5)} ms, p99 ${quantile(latencies, 0.99)} ms (${latencies.length} samples)`, 'p99 < 1 s', met(quantile(latencies, 0.99) < 1_000)],
      ['(c) ACTIVE → detected (first DescribeTable that sees ACTIVE)', `p50 ${seconds(quantile(lags, 0.5))}, p95 ${seconds(quantile(lags, 0.95))}; fixed 5-s poll on the same durations: p95 ${seconds(quantile(fixedLags, 0.95))}`, 'p95 ≤ 2 s', met(quantile(lags, 0.95) <= 2_000)],
      ['(c) DescribeTable calls per restore', `${mean(describes).toFixed(2)}; fixed 5-s poll: ${mean(fixedPolls).toFixed(2)} (ratio ${(mean(describes) / mean(fixedPolls)).toFixed(2)})`, '≤ half the fixed poll', met(mean(describes) <= mean(fixedPolls) / 2)],
      [`(d) ${total} finished resources idle ${idleMinutes.toFixed(1)} min: AWS calls`, `${(idleCalls / idleMinutes).toFixed(2)} per minute (${idleCalls} in all)`, '≤ 1 per minute', met(idleCalls / idleMinutes <= 1)],
      ['(d) operator RSS while idle', `max ${Math.max(...rss).toFixed(0)} MB, mean ${mean(rss).toFixed(0)} MB (${rss.length} samples)`, '< 150 MB', met(Math.max(...rss) < 150)],
      [`(e) restart with ${total} resources: until /readyz`, seconds(readyMs), '< 10 s', met(readyMs < 10_000)],
    ];
    const table = ['| Scenario | Result | Target | |', '|---|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
    console.log(`\n${table}\n`);
    const doc = readFileSync(join(REPO, 'docs/benchmarks.md'), 'utf8');
    const results = [
      '<!-- results: written by `make bench` (bench/run.ts); everything between these markers is replaced on each run -->',
      `Run on ${new Date().toISOString().slice(0, 10)}, ${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB memory;`,
      `Node.js ${process.version}, kube-apiserver ${kubeVersion.serverVersion?.gitVersion ?? '?'}, moto ${motoVersion}, ${awsVersion}; whole run ${seconds(Date.now() - started)};`,
      `1-minute load average ${loadAtStart.toFixed(1)} at the start and ${(loadavg()[0] ?? 0).toFixed(1)} at the end (everything, the bed included, shares these CPUs).`,
      `Limits enforced by the proxy: ${SLOTS} restores in progress, ${RATE} control-plane calls/s (per account and Region); restore durations uniform ${DURATION.minMs / 1000}-${DURATION.maxMs / 1000} s (seeded).`,
      `Operator: the production bundle with the image's Node flags (${bundle.slice(0, -1).join(' ')}), ${Object.entries(operatorEnv).map(([k, v]) => `${k}=${v}`).join(', ')}, everything else default.`,
      '',
      table,
      '<!-- /results -->',
    ].join('\n');
    writeFileSync(join(REPO, 'docs/benchmarks.md'), doc.replace(/<!-- results:[\s\S]*<!-- \/results -->/, results));
    log('Wrote docs/benchmarks.md');
  } finally {
    if (operator) await bed.group.stop(operator.process);
    await bed.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
