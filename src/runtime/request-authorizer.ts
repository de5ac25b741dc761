// Who may read an endpoint the operator serves, decided by the Kubernetes API as controller-runtime's secure metrics
// decide it (filters.WithAuthenticationAndAuthorization): the request's bearer token is checked with a TokenReview,
// then its user with a SubjectAccessReview for the request's verb on the non-resource URL, so RBAC
// (`nonResourceURLs: [/metrics], verbs: [get]`) says who may scrape.
import { createHash } from 'node:crypto';
import {
  AuthenticationV1Api,
  AuthorizationV1Api,
  type KubeConfig,
  type V1SubjectAccessReviewSpec,
  type V1SubjectAccessReviewStatus,
  type V1TokenReviewStatus,
} from '@kubernetes/client-node';

export type AccessDecision = { allowed: true; user: string } | { allowed: false; status: 401 | 403; reason: string };

export interface RequestAuthorizer {
  /** Rejects when the API could not answer: the caller then answers 500 and lets nothing through. */
  decide(authorization: string | undefined, verb: string, path: string): Promise<AccessDecision>;
}

/** The two reviews, as the Kubernetes API answers them. */
export interface AccessReviews {
  token(token: string): Promise<V1TokenReviewStatus | undefined>;
  access(spec: V1SubjectAccessReviewSpec): Promise<V1SubjectAccessReviewStatus | undefined>;
}

export function kubernetesAccessReviews(kubeConfig: KubeConfig): AccessReviews {
  const authentication = kubeConfig.makeApiClient(AuthenticationV1Api);
  const authorization = kubeConfig.makeApiClient(AuthorizationV1Api);
  return {
    token: async (token) => (await authentication.createTokenReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } } })).status,
    access: async (spec) => (await authorization.createSubjectAccessReview({ body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec } })).status,
  };
}

/**
 * An allowed decision is kept for a minute (controller-runtime caches an authentication as long), so a scrape every
 * few seconds costs the API server two reviews a minute, not two per scrape. A refusal is never kept: a scraper
 * granted the role a moment later is let in at once. At most MAX_ALLOWED entries, keyed by a digest of the token.
 */
const ALLOWED_FOR_MS = 60_000;
const MAX_ALLOWED = 100;

export class KubernetesRequestAuthorizer implements RequestAuthorizer {
  private readonly allowedUntil = new Map<string, { user: string; until: number }>();

  constructor(
    private readonly reviews: AccessReviews,
    private readonly now: () => number = Date.now,
  ) {}

  async decide(authorization: string | undefined, verb: string, path: string): Promise<AccessDecision> {
    const token = /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1];
    if (!token) return { allowed: false, status: 401, reason: 'no bearer token' };
    const key = createHash('sha256').update(`${verb} ${path} ${token}`).digest('hex');
    const kept = this.allowedUntil.get(key);
    if (kept && kept.until > this.now()) return { allowed: true, user: kept.user };
    this.allowedUntil.delete(key);

    const authenticated = await this.reviews.token(token);
    const user = authenticated?.user;
    if (!authenticated?.authenticated || !user?.username) return { allowed: false, status: 401, reason: authenticated?.error || 'the token is not valid' };
    const access = await this.reviews.access({ user: user.username, uid: user.uid, groups: user.groups, extra: user.extra, nonResourceAttributes: { path, verb } });
    if (!access?.allowed) return { allowed: false, status: 403, reason: `${user.username} may not ${verb} ${path}${access?.reason ? `: ${access.reason}` : ''}` };

    const oldest = this.allowedUntil.keys().next();
    if (this.allowedUntil.size >= MAX_ALLOWED && !oldest.done) this.allowedUntil.delete(oldest.value);
    this.allowedUntil.set(key, { user: user.username, until: this.now() + ALLOWED_FOR_MS });
    return { allowed: true, user: user.username };
  }
}
