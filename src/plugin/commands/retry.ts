import { ApiException } from '@kubernetes/client-node';
import type { Creating } from '../command-line.ts';
import type { KubeSession } from '../kube-session.ts';
import { retryManifest, retryName } from '../restore-manifest.ts';
import type { Terminal } from '../terminal.ts';
import { createRestore } from './create.ts';

/** Names taken meanwhile by someone else's retry: look again this many times. */
const NAME_ATTEMPTS = 3;

export async function retry(session: KubeSession, name: string, newName: string | undefined, creating: Creating, terminal: Terminal): Promise<number> {
  const failed = await session.get(name);
  for (let attempt = 1; ; attempt++) {
    const manifest = retryManifest(failed, newName ?? retryName(name, await session.names()));
    try {
      await createRestore(session, manifest, creating, terminal);
      return 0;
    } catch (err) {
      const taken = err instanceof ApiException && err.code === 409;
      if (!taken || newName !== undefined || attempt === NAME_ATTEMPTS) throw err;
    }
  }
}
