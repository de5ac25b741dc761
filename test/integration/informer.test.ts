// The generic informer on a real apiserver: which changes wake a reconcile (ADR 5), and what the cache keeps.
import assert from 'node:assert/strict';
import { CustomObjectsApi } from '@kubernetes/client-node';
import winston from 'winston';
import { GROUP, PLURAL, VERSION, type DynamoDBRestore } from '../../src/api/dynamodb-restore.ts';
import { CustomObjectClient } from '../../src/runtime/custom-objects.ts';
import { ResourceInformer } from '../../src/runtime/informer.ts';
import { waitFor } from '../support/processes.ts';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { Restores, uniqueName } from '../support/restores.ts';
import type { TestBed } from '../support/testbed.ts';

const BACKUP = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d';

describe('integration: the informer', function () {
  this.timeout(60_000);
  let bed: TestBed;
  let informer: ResourceInformer<DynamoDBRestore>;
  const keys: string[] = [];
  const namespace = uniqueName('informer');

  before(async () => {
    bed = await sharedTestBed();
    await bed.createNamespace(namespace);
    const client = new CustomObjectClient<DynamoDBRestore>(bed.kubeConfig, { group: GROUP, version: VERSION, plural: PLURAL });
    informer = new ResourceInformer<DynamoDBRestore>({
      kubeConfig: bed.kubeConfig,
      path: client.path(namespace),
      list: () => client.list(namespace),
      onKey: (key) => keys.push(key),
      log: winston.createLogger({ silent: true }),
      resyncPeriodMs: 3_600_000,
    });
    await informer.start();
  });

  after(async () => {
    await informer.stop();
  });

  it('wakes on create and on a spec change, not on a status write or a finalizer change; caches objects without managedFields', async () => {
    const restores = new Restores(bed);
    const key = `${namespace}/watched`;
    const created = await restores.create(namespace, 'watched', { targetTableName: 'Music', source: { backupArn: BACKUP } });
    await waitFor('the add', () => Promise.resolve(keys.includes(key)), 10_000, 20);
    assert.ok((created.metadata as { managedFields?: unknown }).managedFields, 'the apiserver has managedFields');

    const api = bed.kubeConfig.makeApiClient(CustomObjectsApi);
    const base = { group: GROUP, version: VERSION, plural: PLURAL, namespace, name: 'watched' };
    const woken = keys.length;
    const written = (await api.replaceNamespacedCustomObjectStatus({ ...base, body: { ...created, status: { phase: 'Validating' } } })) as DynamoDBRestore;
    await waitFor('the status in the cache', () => Promise.resolve(informer.get(key)?.status?.phase === 'Validating'), 10_000, 20);
    assert.equal(keys.length, woken, 'a status write wakes nothing');
    const cached = informer.get(key);
    assert.equal((cached?.metadata as { managedFields?: unknown }).managedFields, undefined, 'the cache keeps no managedFields');

    const held = (await api.replaceNamespacedCustomObject({ ...base, body: { ...written, metadata: { ...written.metadata, finalizers: ['example.com/hold'] } } })) as DynamoDBRestore;
    await waitFor('the finalizer in the cache', () => Promise.resolve(informer.get(key)?.metadata.finalizers?.includes('example.com/hold') ?? false), 10_000, 20);
    assert.equal(keys.length, woken, 'a finalizer change wakes nothing');

    // deletionPolicy is the one field of the spec that may change: a new generation.
    await api.replaceNamespacedCustomObject({ ...base, body: { ...held, metadata: { ...held.metadata, finalizers: [] }, spec: { ...held.spec, deletionPolicy: 'Delete' } } });
    await waitFor('the spec change', () => Promise.resolve(keys.length > woken), 10_000, 20);
    await restores.delete(namespace, 'watched');
  });
});
