// Waits for a restore's end: exit 0 once Completed, 1 as soon as it has Failed (with the operator's sentence), 124
// when the timeout comes first (as timeout(1)). Watches the resource, and watches again whenever the apiserver ends
// the watch.
import type { DynamoDBRestore } from '../../api/dynamodb-restore.ts';
import { apiErrorMessage, type KubeSession } from '../kube-session.ts';
import type { Terminal } from '../terminal.ts';

const EXIT_FAILED = 1;
const EXIT_TIMEOUT = 124;
/** After a watch that ended with an error, before the next: an apiserver that refuses is not hammered. */
const REWATCH_DELAY_MS = 1_000;

/** The line wait prints once the restore has ended, and its exit code; undefined while it goes on. */
export function finalOutcome(restore: DynamoDBRestore): { code: number; line: string } | undefined {
  const { name } = restore.metadata;
  const { phase, conditions, lastError } = restore.status ?? {};
  if (phase === 'Completed') {
    const ready = conditions?.find((c) => c.type === 'Ready');
    return { code: 0, line: `${name}: Completed${ready ? `: ${ready.message}` : ''}` };
  }
  if (phase === 'Failed') {
    const failed = conditions?.find((c) => c.type === 'Failed');
    const why = failed?.message ?? lastError?.message ?? 'no reason recorded';
    return { code: EXIT_FAILED, line: `${name} failed${failed ? ` (${failed.reason})` : ''}: ${why}` };
  }
  return undefined;
}

export async function wait(session: KubeSession, name: string, timeoutMs: number, terminal: Terminal): Promise<number> {
  let last: DynamoDBRestore | undefined;
  let stopWatch = () => {};
  let settle: (code: number) => void = () => {};
  const settled = new Promise<number>((resolve) => (settle = resolve));
  let over = false;
  const finish = (code: number, write: () => Promise<void>) => {
    if (over) return;
    over = true;
    stopWatch();
    void write().then(() => settle(code), () => settle(code));
  };
  const judge = (restore: DynamoDBRestore | undefined) => {
    if (!restore) return finish(EXIT_FAILED, () => terminal.err(`error: ${name} was deleted while waiting for it\n`));
    last = restore;
    const outcome = finalOutcome(restore);
    if (!outcome) return;
    finish(outcome.code, () => (outcome.code === 0 ? terminal.out(`${outcome.line}\n`) : terminal.err(`error: ${outcome.line}\n`)));
  };
  const timer = setTimeout(() => {
    finish(EXIT_TIMEOUT, () => terminal.err(`error: timed out after ${timeoutMs / 1000}s waiting for ${name} (phase ${last?.status?.phase ?? 'not set yet'})\n`));
  }, timeoutMs);

  const follow = async () => {
    while (!over) {
      judge(await session.get(name));
      if (over || !last) return;
      const ended = await new Promise<unknown>((resolve) => {
        void session.watch(name, last?.metadata.resourceVersion ?? '', judge, resolve).then((stop) => {
          stopWatch = stop;
          if (over) stop();
        }, resolve);
      });
      if (ended && !over) await new Promise((r) => setTimeout(r, REWATCH_DELAY_MS));
    }
  };
  follow().catch((err: unknown) => finish(EXIT_FAILED, () => terminal.err(`error: ${apiErrorMessage(err)}\n`)));
  try {
    return await settled;
  } finally {
    clearTimeout(timer);
  }
}
