// Event names: client-go's "<object name>.<unique suffix>" while it fits in a DNS subdomain (253 characters), and a
// shortened, still unique name for objects whose names leave no room for the suffix. And emit against a localhost
// apiserver stand-in: the events.k8s.io/v1 Event it creates, and that a refused create is logged, never thrown.
import assert from 'node:assert/strict';
import type { EventsV1Event, KubernetesObject } from '@kubernetes/client-node';
import { EventRecorder, eventName } from '../../../src/runtime/event-recorder.ts';
import { answerJson, answerStatus, recordingLogger, startFakeApiserver, type FakeApiserver, type LogEntry } from '../../support/fake-apiserver.ts';

const SUFFIX = '19aed0c8f00ab12'; // what the recorder appends: the time in hex and 2 random bytes
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

describe('eventName', () => {
  it('is the object name, a dot and the suffix when that fits', () => {
    assert.equal(eventName('music', SUFFIX), 'music.19aed0c8f00ab12');
  });

  it('keeps a 237-character name whole: with the dot and suffix it is exactly 253 characters', () => {
    const name = 'a'.repeat(237);
    assert.equal(eventName(name, SUFFIX), `${name}.19aed0c8f00ab12`);
  });

  it('shortens a 253-character name to a valid 252-character name: the prefix up to its last letter or digit, a digest of the whole name, the suffix', () => {
    const name = `r${'-x'.repeat(126)}`;
    const expected = `r${'-x'.repeat(109)}.fee5a3f69372cfb5.19aed0c8f00ab12`;
    assert.equal(eventName(name, SUFFIX), expected);
    assert.equal(expected.length, 252);
    assert.match(expected, DNS_SUBDOMAIN);
  });

  it('drops every trailing non-alphanumeric character of the cut prefix, not only the last (a prefix ending in "--")', () => {
    const name = `${'a'.repeat(218)}--${'b'.repeat(33)}`;
    assert.equal(eventName(name, SUFFIX), `${'a'.repeat(218)}.93e979fb35689534.19aed0c8f00ab12`);
  });

  it('gives two 253-character names that differ only at the end different event names (sha256 digests fee5a3f6…, 6e2f1cd1…)', () => {
    assert.equal(eventName(`r${'-x'.repeat(125)}-y`, SUFFIX), `r${'-x'.repeat(109)}.6e2f1cd1b19c71a2.19aed0c8f00ab12`);
    assert.notEqual(eventName(`r${'-x'.repeat(125)}-y`, SUFFIX), eventName(`r${'-x'.repeat(126)}`, SUFFIX));
  });
});

const RESTORE: KubernetesObject = {
  apiVersion: 'dynamodb.restore.dev/v1alpha1',
  kind: 'DynamoDBRestore',
  metadata: { name: 'music', namespace: 'team-a', uid: 'uid-1', resourceVersion: '42' },
};

describe('EventRecorder.emit', () => {
  let apiserver: FakeApiserver;
  let refuse: boolean;
  let entries: LogEntry[];
  let recorder: EventRecorder;

  beforeEach(async () => {
    refuse = false;
    apiserver = await startFakeApiserver((request, res) => (refuse ? answerStatus(res, 403, 'Forbidden') : answerJson(res, 201, request.body)));
    const recording = recordingLogger();
    entries = recording.entries;
    recorder = new EventRecorder(apiserver.kubeConfig, 'dynamodb.restore.dev/restore-controller', 'operator-pod-1', recording.log);
  });

  afterEach(() => apiserver.close());

  it('creates an events.k8s.io/v1 Event in the object namespace that names the object, the reason, type and note, and who reports it', async () => {
    await recorder.emit(RESTORE, 'Warning', 'RestoreFailed', 'The backup does not exist.');
    assert.equal(apiserver.requests.length, 1);
    const [request] = apiserver.requests;
    assert.equal(request?.method, 'POST');
    assert.equal(request?.url, '/apis/events.k8s.io/v1/namespaces/team-a/events');
    const event = request?.body as EventsV1Event;
    // The name: the object's, a dot, the time in hex and 2 random bytes in hex.
    assert.match(event.metadata?.name ?? '', /^music\.[0-9a-f]{11,12}[0-9a-f]{4}$/);
    assert.match(String(event.eventTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.deepEqual({ ...event, metadata: { ...event.metadata, name: 'x' }, eventTime: 'x' }, {
      metadata: { name: 'x', namespace: 'team-a' },
      eventTime: 'x',
      reportingController: 'dynamodb.restore.dev/restore-controller',
      reportingInstance: 'operator-pod-1',
      action: 'RestoreFailed',
      reason: 'RestoreFailed',
      type: 'Warning',
      note: 'The backup does not exist.',
      regarding: { apiVersion: 'dynamodb.restore.dev/v1alpha1', kind: 'DynamoDBRestore', name: 'music', namespace: 'team-a', uid: 'uid-1', resourceVersion: '42' },
    });
    assert.deepEqual(entries, []);
  });

  it('cuts a note over 1024 characters to 1023 and an ellipsis', async () => {
    await recorder.emit(RESTORE, 'Normal', 'Restoring', 'x'.repeat(1025));
    assert.equal((apiserver.requests[0]?.body as EventsV1Event).note, `${'x'.repeat(1023)}…`);
  });

  it('names an object without a namespace or name in the default namespace, as "object"', async () => {
    await recorder.emit({ apiVersion: 'v1', kind: 'Thing', metadata: {} }, 'Normal', 'Seen', 'seen');
    const [request] = apiserver.requests;
    assert.equal(request?.url, '/apis/events.k8s.io/v1/namespaces/default/events');
    const event = request?.body as EventsV1Event;
    assert.match(event.metadata?.name ?? '', /^object\.[0-9a-f]{15,16}$/);
    assert.equal(event.metadata?.namespace, 'default');
    assert.deepEqual(event.regarding, { apiVersion: 'v1', kind: 'Thing', namespace: 'default' });
  });

  it('logs a refused create as a warning with the reason, and does not throw', async () => {
    refuse = true;
    await recorder.emit(RESTORE, 'Normal', 'Restoring', 'Restoring the table.');
    assert.equal(entries.length, 1);
    assert.equal(entries[0]?.level, 'warn');
    assert.equal(entries[0]?.message, 'Could not record an event');
    assert.equal(entries[0]?.reason, 'Restoring');
    assert.match(String(entries[0]?.error), /403/);
  });
});
