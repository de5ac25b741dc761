// What restore and retry share: print the manifest (--dry-run=client), or create it (--dry-run=server: the apiserver
// checks it all and stores nothing) and say so as kubectl does, or print what was created (-o).
import { stringify } from 'yaml';
import { GROUP } from '../../api/dynamodb-restore.ts';
import type { Creating } from '../command-line.ts';
import type { KubeSession } from '../kube-session.ts';
import type { RestoreManifest } from '../restore-manifest.ts';
import type { Terminal } from '../terminal.ts';

export async function createRestore(session: KubeSession, manifest: RestoreManifest, { dryRun, output }: Creating, terminal: Terminal): Promise<void> {
  const result = dryRun === 'client' ? manifest : await session.create(manifest, dryRun);
  const name = `dynamodbrestore.${GROUP}/${manifest.metadata.name}`;
  if (output === 'yaml') return terminal.out(stringify(result, { lineWidth: 0 }));
  if (output === 'json') return terminal.out(`${JSON.stringify(result, null, 2)}\n`);
  if (output === 'name') return terminal.out(`${name}\n`);
  return terminal.out(`${name} created${dryRun === 'none' ? '' : ` (${dryRun === 'server' ? 'server ' : ''}dry run)`}\n`);
}
