// One test bed per test run, started by the first suite that asks for it and stopped when mocha finishes (or is
// interrupted). Suites isolate themselves by namespace and table-name prefix.
import { TestBed } from './testbed.ts';

let started: Promise<TestBed> | undefined;

export function sharedTestBed(): Promise<TestBed> {
  started ??= TestBed.start();
  return started;
}

export async function stopSharedTestBed(): Promise<void> {
  if (!started) return;
  const bed = await started.catch(() => undefined);
  started = undefined;
  await bed?.stop();
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void stopSharedTestBed().finally(() => process.exit(130));
  });
}
