#!/usr/bin/env node
// kubectl-ddbr: the kubectl plugin for DynamoDBRestore resources (`kubectl ddbr ...`). Exit codes: 0 done, 1 the
// restore failed or the apiserver refused, 2 wrong usage or an invalid restore, 124 wait timed out.
import { parseCommandLine, UsageError, type Invocation } from './command-line.ts';
import { apiErrorMessage, KubeSession } from './kube-session.ts';
import { processTerminal, type Terminal } from './terminal.ts';
import { describe } from './commands/describe.ts';
import { restore } from './commands/restore.ts';
import { retry } from './commands/retry.ts';
import { wait } from './commands/wait.ts';

const EXIT_USAGE = 2;

async function main(argv: readonly string[], terminal: Terminal): Promise<number> {
  try {
    const invocation = parseCommandLine(argv);
    if (invocation.command === 'help') {
      await terminal.out(`${invocation.text}\n`);
      return 0;
    }
    return await run(invocation, KubeSession.open(invocation.connection), terminal);
  } catch (err) {
    if (err instanceof UsageError) {
      await terminal.err(`error: ${err.message}\n`);
      return EXIT_USAGE;
    }
    await terminal.err(`error: ${apiErrorMessage(err)}\n`);
    return 1;
  }
}

function run(invocation: Exclude<Invocation, { command: 'help' }>, session: KubeSession, terminal: Terminal): Promise<number> {
  switch (invocation.command) {
    case 'restore':
      return restore(session, invocation.name, invocation.flags, invocation, terminal);
    case 'wait':
      return wait(session, invocation.name, invocation.timeoutMs, terminal);
    case 'describe':
      return describe(session, invocation.name, terminal);
    case 'retry':
      return retry(session, invocation.name, invocation.newName, invocation, terminal);
  }
}

// Keep-alive connections to the apiserver would hold the process open after the answer.
process.exit(await main(process.argv.slice(2), processTerminal));
