// Mocha root hooks: the shared test bed lives for the whole run and is stopped by the root after-all hook, which
// runs before mocha reports the end (a global teardown did not always run once a suite left a handle open).
import { stopSharedTestBed } from './shared-testbed.ts';

export const mochaHooks = {
  async afterAll(): Promise<void> {
    await stopSharedTestBed();
  },
};
