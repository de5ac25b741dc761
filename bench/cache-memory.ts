// `make bench-memory`: what one cached DynamoDBRestore costs the operator. The operator keeps every resource it
// watches in its informer cache (src/runtime/informer.ts); this runs that informer in this process against the test
// bed's apiserver, fills it with BENCH_MEMORY_RESOURCES resources of a minimal spec and then of the largest spec the
// CRD admits, and measures the V8 heap after a full GC each time. Results go to docs/benchmarks.md between markers.
// Measured here, never asserted by the test suite.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import winston from 'winston';
import { GROUP, PLURAL, VERSION, type DynamoDBRestore, type DynamoDBRestoreSpec } from '../src/api/dynamodb-restore.ts';
import { CustomObjectClient } from '../src/runtime/custom-objects.ts';
import { ResourceInformer } from '../src/runtime/informer.ts';
import { waitFor } from '../test/support/processes.ts';
import { Restores } from '../test/support/restores.ts';
import { REPO, TestBed } from '../test/support/testbed.ts';

const N = Number(process.env.BENCH_MEMORY_RESOURCES ?? 200);
const BACKUP = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const name = (prefix: string, i: number, length: number) => `${prefix}${i}`.padEnd(length, 'x');

/** The largest spec the CRD admits: 20 GSIs and 5 LSIs of 255-character names, 100 projected attributes in all. */
function largestSpec(i: number): DynamoDBRestoreSpec {
  const key = (attribute: string) => [{ attributeName: attribute, keyType: 'HASH' as const }, { attributeName: name('sk', i, 255), keyType: 'RANGE' as const }];
  const projected = (index: number, count: number) => ({
    projectionType: 'INCLUDE' as const,
    nonKeyAttributes: Array.from({ length: count }, (_, k) => name(`a${index}-${k}-`, i, 255)),
  });
  return {
    targetTableName: name('t', i, 255),
    source: { backupArn: BACKUP },
    overrides: {
      globalSecondaryIndexes: Array.from({ length: 20 }, (_, g) => ({ indexName: name(`g${g}-`, i, 255), keySchema: key(name(`pk${g}-`, i, 255)), projection: projected(g, 4) })),
      localSecondaryIndexes: Array.from({ length: 5 }, (_, l) => ({ indexName: name(`l${l}-`, i, 255), keySchema: key(name('pk', i, 255)), projection: projected(20 + l, 4) })),
    },
  };
}

/** Heap bytes per resource once an informer has cached N resources of this spec in the namespace. */
async function fill(bed: TestBed, namespace: string, spec: (i: number) => DynamoDBRestoreSpec): Promise<number> {
  const restores = new Restores(bed);
  const client = new CustomObjectClient<DynamoDBRestore>(bed.kubeConfig, { group: GROUP, version: VERSION, plural: PLURAL });
  for (let i = 0; i < N; i++) await restores.create(namespace, `r-${i}`, spec(i));
  const before = heap();
  const informer = new ResourceInformer<DynamoDBRestore>({
    kubeConfig: bed.kubeConfig,
    path: client.path(namespace),
    list: () => client.list(namespace),
    onKey: () => undefined,
    log: winston.createLogger({ silent: true }),
    resyncPeriodMs: 3_600_000,
  });
  await informer.start();
  await waitFor('the cache to fill', () => Promise.resolve(informer.list().length === N), 60_000, 100);
  const perResource = (heap() - before) / N;
  await informer.stop();
  return perResource;
}

async function main(): Promise<void> {
  const bed = await TestBed.start();
  try {
    const rows: string[] = [];
    for (const [what, spec] of [
      ['minimal (the tutorial\'s Music restore)', (): DynamoDBRestoreSpec => ({ targetTableName: 'Music', source: { backupArn: BACKUP } })],
      ['largest the CRD admits (20 GSIs, 5 LSIs, 100 projected attributes, 255-character names)', largestSpec],
    ] as const) {
      const namespace = what.startsWith('minimal') ? 'memory-minimal' : 'memory-largest';
      await bed.createNamespace(namespace);
      const json = JSON.stringify({ spec: spec(0) }).length;
      const bytes = await fill(bed, namespace, spec);
      rows.push(`| ${what} | ${(json / 1024).toFixed(1)} KiB | ${(bytes / 1024).toFixed(1)} KiB |`);
    }
    const results = [
      `Run on ${new Date().toISOString().slice(0, 10)}, Node.js ${process.version}, ${N} resources of each kind, V8 heap after a full GC.`,
      '',
      '| Spec | Its JSON | Heap per cached resource |',
      '|---|---|---|',
      ...rows,
    ].join('\n');
    const file = join(REPO, 'docs/benchmarks.md');
    const text = readFileSync(file, 'utf8');
    const [head, rest] = text.split('<!-- memory: written by `make bench-memory`');
    const tail = rest?.split('<!-- /memory -->')[1];
    if (!head || tail === undefined) throw new Error('docs/benchmarks.md lacks the memory markers');
    writeFileSync(file, `${head}<!-- memory: written by \`make bench-memory\` (bench/cache-memory.ts); replaced on each run -->\n${results}\n<!-- /memory -->${tail}`);
    console.log(results);
  } finally {
    await bed.stop();
  }
}

await main();
