// A test run killed outright (SIGKILL) leaves its servers running; the next run must stop them and go on.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alive, cleanUpStaleRuns, RUNS_DIR } from '../support/processes.ts';

describe('tooling: test bed clean-up after a killed run', () => {
  it('kills the processes a dead run left and removes its directory, but spares a live run', async () => {
    const deadOwner = spawnSync('true').pid;
    const leftover = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
    const live = spawn('sleep', ['301'], { detached: true, stdio: 'ignore' });
    const leftoverExit = new Promise((resolve) => leftover.once('exit', resolve));
    const deadDir = join(RUNS_DIR, `${deadOwner}-1`);
    const liveDir = join(RUNS_DIR, `${process.pid}-1`);
    try {
      for (const [dir, child, seconds] of [[deadDir, leftover, 300], [liveDir, live, 301]] as const) {
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'pids'), `${child.pid} sleep ${seconds}\n`);
      }
      cleanUpStaleRuns();
      await leftoverExit;
      assert.equal(existsSync(deadDir), false, 'the dead run directory is removed');
      assert.equal(existsSync(liveDir), true, 'a running test run is left alone');
      assert.ok(live.pid !== undefined && alive(live.pid), "a running test run's processes are left alone");
    } finally {
      live.kill('SIGKILL');
      leftover.kill('SIGKILL');
      spawnSync('rm', ['-rf', deadDir, liveDir]);
    }
  });
});
