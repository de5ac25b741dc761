// Child processes of a test run, each recorded in a run directory, so that every one is stopped at the end (also
// on failure or interrupt) and a run killed outright (SIGKILL) is cleaned up by the next one.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const RUNS_DIR = process.env.TESTBED_RUNS_DIR ?? join(process.env.HOME ?? '/tmp', '.cache', 'dynamodb-restore-operator', 'runs');

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Removes what runs that died without cleaning up left behind: their processes and their directories. */
export function cleanUpStaleRuns(): void {
  if (!existsSync(RUNS_DIR)) return;
  for (const entry of readdirSync(RUNS_DIR)) {
    const dir = join(RUNS_DIR, entry);
    const owner = Number(entry.split('-')[0]);
    if (alive(owner) && commandLine(owner).includes('node')) continue;
    const pidsFile = join(dir, 'pids');
    if (existsSync(pidsFile)) {
      for (const line of readFileSync(pidsFile, 'utf8').split('\n').filter(Boolean)) {
        const [pid, ...command] = line.split(' ');
        // Only a process still running the command we started, never an unrelated one that reused the PID. (A
        // script's command line starts with its interpreter, so the command is looked for within it.)
        if (alive(Number(pid)) && commandLine(Number(pid)).includes(command.join(' '))) process.kill(Number(pid), 'SIGKILL');
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface Started {
  name: string;
  child: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
}

export class ProcessGroup {
  readonly dir: string;
  private readonly children = new Set<Started>();

  constructor() {
    cleanUpStaleRuns();
    this.dir = join(RUNS_DIR, `${process.pid}-${Date.now()}`);
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(join(this.dir, 'pids'), '');
    // The last line of defence: whatever way this process exits, its children go with it.
    process.once('exit', () => this.killAllNow());
  }

  start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Started {
    const logFile = join(this.dir, `${name}.log`);
    const log = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    appendFileSync(join(this.dir, 'pids'), `${child.pid} ${[command, ...args].join(' ')}\n`);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const started: Started = { name, child, logFile, exited };
    this.children.add(started);
    void exited.then(() => this.children.delete(started));
    return started;
  }

  /** SIGTERM, then SIGKILL after graceMs. */
  async stop(started: Started, graceMs = 5_000): Promise<void> {
    if (started.child.exitCode !== null || started.child.signalCode !== null) return;
    started.child.kill('SIGTERM');
    const timer = setTimeout(() => started.child.kill('SIGKILL'), graceMs);
    await started.exited;
    clearTimeout(timer);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.children].reverse().map((c) => this.stop(c)));
    // TESTBED_KEEP_LOGS=1 keeps the processes' logs for a look after the run.
    if (process.env.TESTBED_KEEP_LOGS === '1') console.error(`Test bed logs kept in ${this.dir}`);
    else rmSync(this.dir, { recursive: true, force: true });
  }

  private killAllNow(): void {
    for (const { child } of this.children) child.kill('SIGKILL');
  }
}

/** Polls check until it returns true, or fails after timeoutMs with what it last threw. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, intervalMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}
