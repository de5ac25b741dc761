import type { Creating, RestoreFlags } from '../command-line.ts';
import type { KubeSession } from '../kube-session.ts';
import { restoreManifest } from '../restore-manifest.ts';
import type { Terminal } from '../terminal.ts';
import { createRestore } from './create.ts';

export async function restore(session: KubeSession, name: string, flags: RestoreFlags, creating: Creating, terminal: Terminal): Promise<number> {
  await createRestore(session, restoreManifest(session.namespace, name, flags), creating, terminal);
  return 0;
}
