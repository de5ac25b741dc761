import { eventTime, type KubeSession } from '../kube-session.ts';
import { restoreStory } from '../restore-story.ts';
import type { Terminal } from '../terminal.ts';

export async function describe(session: KubeSession, name: string, terminal: Terminal): Promise<number> {
  const restore = await session.get(name);
  const events = (await session.events(restore)).map((e) => ({ at: new Date(eventTime(e)), type: e.type, reason: e.reason, message: e.message }));
  await terminal.out(restoreStory(restore, events));
  return 0;
}
