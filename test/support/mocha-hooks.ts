// Mocha root hooks: the shared test bed lives for the whole run.
import { stopSharedTestBed } from './shared-testbed.ts';

export async function mochaGlobalTeardown(): Promise<void> {
  await stopSharedTestBed();
}
