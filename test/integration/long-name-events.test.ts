// A resource whose name is as long as Kubernetes allows (253 characters) still gets its events: the event's own name,
// "<name>.<suffix>", would overflow 253, so the recorder shortens it (test/unit/runtime/event-recorder.test.ts).
import assert from 'node:assert/strict';
import { waitFor } from '../support/processes.ts';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { Restores, uniqueName } from '../support/restores.ts';
import type { OperatorProcess, TestBed } from '../support/testbed.ts';

// A backup that does not exist: the restore ends Failed (BackupNotFound) after one DescribeBackup, with an event.
const MISSING_BACKUP = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-00000000';

describe('integration: events for a resource with a 253-character name', function () {
  this.timeout(90_000);
  let bed: TestBed;
  let restores: Restores;
  let operator: OperatorProcess | undefined;
  const namespace = uniqueName('long-names');
  const name = `long-${'x'.repeat(248)}`;

  before(async () => {
    bed = await sharedTestBed();
    restores = new Restores(bed);
    await bed.createNamespace(namespace);
    // A policy that governs the namespace and restricts nothing, so the restore gets as far as DescribeBackup.
    await restores.createPolicy(namespace, { namespaces: [namespace] });
    operator = await bed.startOperator({ WATCH_NAMESPACES: namespace });
  });

  after(async () => {
    if (operator) await bed.group.stop(operator.process);
    await restores?.deletePolicy(namespace).catch(() => undefined);
  });

  it('kubectl get events lists the BackupNotFound event of the resource', async () => {
    assert.equal(name.length, 253);
    await restores.create(namespace, name, { targetTableName: uniqueName('Music'), source: { backupArn: MISSING_BACKUP } });
    await restores.waitFor(namespace, name, 'to fail', (r) => r.status?.phase === 'Failed');
    // kubectl reads core (v1) Events, the same objects the operator writes as events.k8s.io/v1.
    const line = new RegExp(`^BackupNotFound +${name} +Warning$`, 'm');
    let events = '';
    await waitFor('the BackupNotFound event', async () => {
      events = await bed.kubectl('get', 'events', '-n', namespace, '--field-selector', `involvedObject.name=${name}`, '-o', 'custom-columns=REASON:.reason,OBJECT:.involvedObject.name,TYPE:.type', '--no-headers');
      return line.test(events);
    }, 10_000).catch((err: unknown) => assert.fail(`${String(err)}; kubectl get events printed:\n${events}`));
  });
});
