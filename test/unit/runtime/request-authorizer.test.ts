// Who may read /metrics: a bearer token the Kubernetes API authenticates (TokenReview) whose user RBAC lets get the
// non-resource URL (SubjectAccessReview), as controller-runtime's secure metrics decide it. Reviews are in-memory
// fakes here; test/integration/metrics-auth.test.ts asks a real kube-apiserver.
import assert from 'node:assert/strict';
import {
  AuthenticationV1Api,
  type KubeConfig,
  type V1SubjectAccessReview,
  type V1SubjectAccessReviewSpec,
  type V1SubjectAccessReviewStatus,
  type V1TokenReview,
  type V1TokenReviewStatus,
} from '@kubernetes/client-node';
import { KubernetesRequestAuthorizer, kubernetesAccessReviews, type AccessReviews } from '../../../src/runtime/request-authorizer.ts';

const SCRAPER = { username: 'system:serviceaccount:monitoring:prometheus', uid: 'u-1', groups: ['system:serviceaccounts', 'system:serviceaccounts:monitoring', 'system:authenticated'] };

class FakeReviews implements AccessReviews {
  readonly tokens: string[] = [];
  readonly accesses: V1SubjectAccessReviewSpec[] = [];
  tokenAnswer: V1TokenReviewStatus | Error = { authenticated: true, user: SCRAPER };
  accessAnswer: V1SubjectAccessReviewStatus | Error = { allowed: true };

  token(token: string): Promise<V1TokenReviewStatus | undefined> {
    this.tokens.push(token);
    return this.tokenAnswer instanceof Error ? Promise.reject(this.tokenAnswer) : Promise.resolve(this.tokenAnswer);
  }

  access(spec: V1SubjectAccessReviewSpec): Promise<V1SubjectAccessReviewStatus | undefined> {
    this.accesses.push(spec);
    return this.accessAnswer instanceof Error ? Promise.reject(this.accessAnswer) : Promise.resolve(this.accessAnswer);
  }
}

describe('KubernetesRequestAuthorizer', () => {
  let reviews: FakeReviews;
  let now: number;
  let authorizer: KubernetesRequestAuthorizer;

  beforeEach(() => {
    reviews = new FakeReviews();
    now = 1_000_000;
    authorizer = new KubernetesRequestAuthorizer(reviews, () => now);
  });

  for (const header of [undefined, '', 'Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', 'xBearer t0ken', 'Bearer t0ken extra']) {
    it(`answers 401 to Authorization ${JSON.stringify(header)} without asking the API`, async () => {
      assert.deepEqual(await authorizer.decide(header, 'get', '/metrics'), { allowed: false, status: 401, reason: 'no bearer token' });
      assert.deepEqual([reviews.tokens, reviews.accesses], [[], []]);
    });
  }

  it('answers 401, with the TokenReview error, to a token the API does not authenticate; no SubjectAccessReview', async () => {
    reviews.tokenAnswer = { authenticated: false, error: '[invalid bearer token, token lookup failed]' };
    assert.deepEqual(await authorizer.decide('Bearer forged', 'get', '/metrics'), { allowed: false, status: 401, reason: '[invalid bearer token, token lookup failed]' });
    assert.deepEqual(reviews.tokens, ['forged']);
    assert.deepEqual(reviews.accesses, []);
  });

  it('asks a SubjectAccessReview for the user, uid and groups the TokenReview returned, verb get on the non-resource URL /metrics', async () => {
    await authorizer.decide('Bearer t0ken', 'get', '/metrics');
    assert.deepEqual(reviews.tokens, ['t0ken']);
    assert.deepEqual(reviews.accesses, [
      { user: SCRAPER.username, uid: 'u-1', groups: SCRAPER.groups, extra: undefined, nonResourceAttributes: { path: '/metrics', verb: 'get' } },
    ]);
  });

  it('answers 401 "the token is not valid" to a token the API does not authenticate and gives no error for', async () => {
    reviews.tokenAnswer = { authenticated: false };
    assert.deepEqual(await authorizer.decide('Bearer forged', 'get', '/metrics'), { allowed: false, status: 401, reason: 'the token is not valid' });
  });

  it('answers 403 with the SubjectAccessReview reason after the user, verb and path', async () => {
    reviews.accessAnswer = { allowed: false, reason: 'no RBAC policy matched' };
    assert.deepEqual(await authorizer.decide('Bearer t0ken', 'get', '/metrics'), {
      allowed: false,
      status: 403,
      reason: 'system:serviceaccount:monitoring:prometheus may not get /metrics: no RBAC policy matched',
    });
  });

  it('answers 403, naming the user, when RBAC does not allow it', async () => {
    reviews.accessAnswer = { allowed: false, reason: '' };
    assert.deepEqual(await authorizer.decide('Bearer t0ken', 'get', '/metrics'), {
      allowed: false,
      status: 403,
      reason: 'system:serviceaccount:monitoring:prometheus may not get /metrics',
    });
  });

  it('allows the user RBAC allows', async () => {
    assert.deepEqual(await authorizer.decide('bearer t0ken', 'get', '/metrics'), { allowed: true, user: 'system:serviceaccount:monitoring:prometheus' });
  });

  it('takes the token after "Bearer" and any number of spaces, trailing spaces ignored', async () => {
    assert.deepEqual(await authorizer.decide('Bearer   t0ken  ', 'get', '/metrics'), { allowed: true, user: SCRAPER.username });
    assert.deepEqual(reviews.tokens, ['t0ken']);
  });

  it('keeps an allowed decision for 60 s: the same token within that asks nothing, at 60 s it asks again', async () => {
    await authorizer.decide('Bearer t0ken', 'get', '/metrics');
    now += 59_999;
    assert.deepEqual(await authorizer.decide('Bearer t0ken', 'get', '/metrics'), { allowed: true, user: SCRAPER.username });
    assert.equal(reviews.tokens.length, 1);
    now += 1;
    await authorizer.decide('Bearer t0ken', 'get', '/metrics');
    assert.equal(reviews.tokens.length, 2);
  });

  it('keeps no refusal: a user granted the role after a 403 is allowed on the next request', async () => {
    reviews.accessAnswer = { allowed: false };
    assert.equal((await authorizer.decide('Bearer t0ken', 'get', '/metrics')).allowed, false);
    reviews.accessAnswer = { allowed: true };
    assert.equal((await authorizer.decide('Bearer t0ken', 'get', '/metrics')).allowed, true);
    assert.equal(reviews.accesses.length, 2);
  });

  it('keeps a decision per token, verb and path: another token or verb is reviewed', async () => {
    await authorizer.decide('Bearer t0ken', 'get', '/metrics');
    await authorizer.decide('Bearer other', 'get', '/metrics');
    await authorizer.decide('Bearer t0ken', 'post', '/metrics');
    assert.deepEqual(reviews.tokens, ['t0ken', 'other', 't0ken']);
  });

  it('keeps at most 100 allowed decisions, forgetting the oldest first', async () => {
    for (let i = 0; i <= 100; i++) await authorizer.decide(`Bearer token-${i}`, 'get', '/metrics');
    assert.equal(reviews.tokens.length, 101);
    await authorizer.decide('Bearer token-100', 'get', '/metrics'); // kept
    await authorizer.decide('Bearer token-1', 'get', '/metrics'); // kept
    await authorizer.decide('Bearer token-0', 'get', '/metrics'); // forgotten
    assert.deepEqual(reviews.tokens.slice(101), ['token-0']);
  });

  it('counts a decision allowed again after it expired as the newest: the next one forgotten is the next oldest', async () => {
    for (let i = 0; i < 100; i++) await authorizer.decide(`Bearer token-${i}`, 'get', '/metrics');
    now += 60_000;
    await authorizer.decide('Bearer token-0', 'get', '/metrics'); // expired: reviewed again, now the newest
    await authorizer.decide('Bearer token-new', 'get', '/metrics'); // the 101st: forgets token-1, the oldest
    assert.equal(reviews.tokens.length, 102);
    await authorizer.decide('Bearer token-0', 'get', '/metrics'); // kept
    assert.deepEqual(reviews.tokens.slice(102), []);
  });

  it('moves a decision allowed again after it expired behind those allowed since, while below 100', async () => {
    await authorizer.decide('Bearer a', 'get', '/metrics');
    now += 1;
    await authorizer.decide('Bearer b', 'get', '/metrics');
    now += 59_999; // a expired, b kept for 1 ms more
    await authorizer.decide('Bearer a', 'get', '/metrics');
    for (let i = 0; i < 98; i++) await authorizer.decide(`Bearer filler-${i}`, 'get', '/metrics');
    await authorizer.decide('Bearer extra', 'get', '/metrics'); // the 101st: forgets b, now the oldest
    const asked = reviews.tokens.length;
    await authorizer.decide('Bearer a', 'get', '/metrics'); // kept
    await authorizer.decide('Bearer b', 'get', '/metrics'); // forgotten
    assert.deepEqual(reviews.tokens.slice(asked), ['b']);
  });

  it('kubernetesAccessReviews sends a TokenReview and a SubjectAccessReview and returns their status', async () => {
    const sent: unknown[] = [];
    const authentication = {
      createTokenReview: ({ body }: { body: V1TokenReview }) => (sent.push(body), Promise.resolve({ ...body, status: { authenticated: true, user: SCRAPER } })),
    };
    const authorization = {
      createSubjectAccessReview: ({ body }: { body: V1SubjectAccessReview }) => (sent.push(body), Promise.resolve({ ...body, status: { allowed: true, reason: 'RBAC: allowed' } })),
    };
    const kubeConfig = { makeApiClient: (api: unknown) => (api === AuthenticationV1Api ? authentication : authorization) } as unknown as KubeConfig;
    const apiReviews = kubernetesAccessReviews(kubeConfig);
    const spec = { user: SCRAPER.username, nonResourceAttributes: { path: '/metrics', verb: 'get' } };
    assert.deepEqual(await apiReviews.token('t0ken'), { authenticated: true, user: SCRAPER });
    assert.deepEqual(await apiReviews.access(spec), { allowed: true, reason: 'RBAC: allowed' });
    assert.deepEqual(sent, [
      { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: 't0ken' } },
      { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec },
    ]);
  });

  it('rejects when the API cannot answer, so the caller lets nothing through', async () => {
    reviews.tokenAnswer = new Error('connect ECONNREFUSED');
    await assert.rejects(authorizer.decide('Bearer t0ken', 'get', '/metrics'), /ECONNREFUSED/);
    reviews.tokenAnswer = { authenticated: true, user: SCRAPER };
    reviews.accessAnswer = new Error('503 Service Unavailable');
    await assert.rejects(authorizer.decide('Bearer t0ken', 'get', '/metrics'), /503/);
  });
});
