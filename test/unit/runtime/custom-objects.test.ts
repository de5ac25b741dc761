// CustomObjectClient against a localhost apiserver stand-in: the request each method sends (method, path, body,
// patch type) and how it reads the answer (404 gone, 409 exists or conflict, other failures thrown).
import assert from 'node:assert/strict';
import { ApiException, type KubernetesObject } from '@kubernetes/client-node';
import { ConflictError, CustomObjectClient } from '../../../src/runtime/custom-objects.ts';
import { answerJson, answerStatus, startFakeApiserver, type FakeApiserver, type RecordedRequest } from '../../support/fake-apiserver.ts';

interface Thing extends KubernetesObject {
  status?: { phase: string };
}

const KIND = { group: 'example.dev', version: 'v1', plural: 'things' };

function thing(finalizers?: string[]): Thing {
  return {
    apiVersion: 'example.dev/v1',
    kind: 'Thing',
    metadata: { name: 'music', namespace: 'team-a', uid: 'uid-1', resourceVersion: '7', ...(finalizers ? { finalizers } : {}) },
    status: { phase: 'Running' },
  };
}

/** Only what was sent: method, URL, patch type and body. */
const sent = (r: RecordedRequest) => [r.method, r.url, r.contentType, r.body];

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('expected a rejection');
}

describe('CustomObjectClient', () => {
  let apiserver: FakeApiserver;
  /** The answer to the next request: a status code and, for 2xx, a body (else a Status of that code). */
  let answer: { code: number; body?: unknown };
  let client: CustomObjectClient<Thing>;

  beforeEach(async () => {
    answer = { code: 200, body: {} };
    apiserver = await startFakeApiserver((_request, res) => {
      if (answer.code < 300) answerJson(res, answer.code, answer.body);
      else answerStatus(res, answer.code, 'Refused');
    });
    client = new CustomObjectClient<Thing>(apiserver.kubeConfig, KIND);
  });

  afterEach(() => apiserver.close());

  it('path is the namespaced collection for a namespace and the cluster-wide one without', () => {
    assert.equal(client.path('team-a'), '/apis/example.dev/v1/namespaces/team-a/things');
    assert.equal(client.path(), '/apis/example.dev/v1/things');
  });

  it('list reads the namespace collection, or the cluster-wide one without a namespace, and returns the list', async () => {
    const list = { apiVersion: 'example.dev/v1', kind: 'ThingList', metadata: { resourceVersion: '9' }, items: [thing()] };
    answer = { code: 200, body: list };
    assert.deepEqual(await client.list('team-a'), list);
    assert.deepEqual(await client.list(), list);
    assert.deepEqual(apiserver.requests.map(sent), [
      ['GET', '/apis/example.dev/v1/namespaces/team-a/things', undefined, undefined],
      ['GET', '/apis/example.dev/v1/things', undefined, undefined],
    ]);
  });

  it('get returns the object the apiserver has', async () => {
    answer = { code: 200, body: thing() };
    assert.deepEqual(await client.get('team-a', 'music'), thing());
    assert.deepEqual(apiserver.requests.map(sent), [['GET', '/apis/example.dev/v1/namespaces/team-a/things/music', undefined, undefined]]);
  });

  it('get returns undefined for a 404 and throws any other failure', async () => {
    answer = { code: 404 };
    assert.equal(await client.get('team-a', 'music'), undefined);
    answer = { code: 403 };
    const err = await rejection(client.get('team-a', 'music'));
    assert.ok(err instanceof ApiException);
    assert.equal(err.code, 403);
  });

  it('create posts the object to its namespace and answers created, or exists on a 409', async () => {
    answer = { code: 201, body: thing() };
    assert.equal(await client.create(thing()), 'created');
    answer = { code: 409 };
    assert.equal(await client.create(thing()), 'exists');
    assert.deepEqual(apiserver.requests.map(sent), [
      ['POST', '/apis/example.dev/v1/namespaces/team-a/things', 'application/json', thing()],
      ['POST', '/apis/example.dev/v1/namespaces/team-a/things', 'application/json', thing()],
    ]);
  });

  it('create throws a refusal other than 409 (admission: 422)', async () => {
    answer = { code: 422 };
    const err = await rejection(client.create(thing()));
    assert.ok(err instanceof ApiException);
    assert.equal(err.code, 422);
  });

  it('delete sends the uid precondition and background propagation; 404 and 409 count as done', async () => {
    await client.delete('team-a', 'music', 'uid-1');
    answer = { code: 404 };
    await client.delete('team-a', 'music', 'uid-1');
    answer = { code: 409 };
    await client.delete('team-a', 'music', 'uid-1');
    const body = { preconditions: { uid: 'uid-1' }, propagationPolicy: 'Background' };
    assert.deepEqual(apiserver.requests.map(sent), [
      ['DELETE', '/apis/example.dev/v1/namespaces/team-a/things/music', 'application/json', body],
      ['DELETE', '/apis/example.dev/v1/namespaces/team-a/things/music', 'application/json', body],
      ['DELETE', '/apis/example.dev/v1/namespaces/team-a/things/music', 'application/json', body],
    ]);
  });

  it('delete throws any other failure (500)', async () => {
    answer = { code: 500 };
    const err = await rejection(client.delete('team-a', 'music', 'uid-1'));
    assert.ok(err instanceof ApiException);
    assert.equal(err.code, 500);
  });

  it('replaceStatus puts the whole object to its status subresource and returns what the apiserver answers', async () => {
    const written = { ...thing(), metadata: { ...thing().metadata, resourceVersion: '8' } };
    answer = { code: 200, body: written };
    assert.deepEqual(await client.replaceStatus(thing()), written);
    assert.deepEqual(apiserver.requests.map(sent), [['PUT', '/apis/example.dev/v1/namespaces/team-a/things/music/status', 'application/json', thing()]]);
  });

  it('replaceStatus turns a 409 into a ConflictError that names the object, and throws other failures as they are', async () => {
    answer = { code: 409 };
    const conflict = await rejection(client.replaceStatus(thing()));
    assert.ok(conflict instanceof ConflictError);
    assert.equal(conflict.name, 'ConflictError');
    assert.equal(conflict.message, 'team-a/music was changed by someone else; re-reading it');
    answer = { code: 422 };
    const invalid = await rejection(client.replaceStatus(thing()));
    assert.ok(invalid instanceof ApiException);
    assert.equal(invalid.code, 422);
  });

  it('setFinalizer sends a JSON Patch that tests the list and adds the finalizer, and returns the patched object', async () => {
    const patched = thing(['other', 'ours']);
    answer = { code: 200, body: patched };
    assert.deepEqual(await client.setFinalizer(thing(['other']), 'ours', true), patched);
    assert.deepEqual(apiserver.requests.map(sent), [
      [
        'PATCH',
        '/apis/example.dev/v1/namespaces/team-a/things/music',
        'application/json-patch+json',
        [
          { op: 'test', path: '/metadata/finalizers', value: ['other'] },
          { op: 'add', path: '/metadata/finalizers/-', value: 'ours' },
        ],
      ],
    ]);
  });

  it('setFinalizer sends nothing and returns the object itself when it already is as asked', async () => {
    const obj = thing(['ours']);
    assert.equal(await client.setFinalizer(obj, 'ours', true), obj);
    assert.deepEqual(apiserver.requests, []);
  });

  it('setFinalizer returns undefined for a 404, a ConflictError for a 409 or a 422 (failed test), and throws other failures', async () => {
    answer = { code: 404 };
    assert.equal(await client.setFinalizer(thing(['ours']), 'ours', false), undefined);
    for (const code of [409, 422]) {
      answer = { code };
      const conflict = await rejection(client.setFinalizer(thing(['ours']), 'ours', false));
      assert.ok(conflict instanceof ConflictError, `${code}`);
      assert.equal(conflict.message, 'team-a/music was changed by someone else; re-reading it');
    }
    answer = { code: 403 };
    const forbidden = await rejection(client.setFinalizer(thing(['ours']), 'ours', false));
    assert.ok(forbidden instanceof ApiException);
    assert.equal(forbidden.code, 403);
  });
});
