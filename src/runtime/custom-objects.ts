// A namespaced custom resource kind, read and status-written through the apiserver. Status writes carry the
// resourceVersion the caller read (optimistic locking); a 409 surfaces as ConflictError for the caller to re-read.
import {
  ApiException,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { finalizerPatch } from './finalizers.ts';

export class ConflictError extends Error {
  constructor(key: string) {
    super(`${key} was changed by someone else; re-reading it`);
    this.name = 'ConflictError';
  }
}

export interface ResourceKind {
  group: string;
  version: string;
  plural: string;
}

export class CustomObjectClient<T extends KubernetesObject & { status?: unknown }> {
  private readonly api: CustomObjectsApi;

  constructor(
    kubeConfig: KubeConfig,
    private readonly kind: ResourceKind,
  ) {
    this.api = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  /** The collection path, for a watch of one namespace or (namespace undefined) of all. */
  path(namespace?: string): string {
    const { group, version, plural } = this.kind;
    return namespace ? `/apis/${group}/${version}/namespaces/${namespace}/${plural}` : `/apis/${group}/${version}/${plural}`;
  }

  list(namespace?: string): Promise<KubernetesListObject<T>> {
    const { group, version, plural } = this.kind;
    return namespace
      ? this.api.listNamespacedCustomObject({ group, version, plural, namespace })
      : this.api.listClusterCustomObject({ group, version, plural });
  }

  /** The object as the apiserver has it now (not a cache), or undefined when it is gone. */
  async get(namespace: string, name: string): Promise<T | undefined> {
    const { group, version, plural } = this.kind;
    try {
      return (await this.api.getNamespacedCustomObject({ group, version, plural, namespace, name })) as T;
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return undefined;
      throw err;
    }
  }

  /** Creates obj; 'exists' when an object of its name is there already (a name derived from what it is for makes
   *  this the idempotent create a controller needs). Other refusals (admission, quota) throw. */
  async create(obj: KubernetesObject): Promise<'created' | 'exists'> {
    const { group, version, plural } = this.kind;
    try {
      await this.api.createNamespacedCustomObject({ group, version, plural, namespace: obj.metadata?.namespace ?? '', body: obj });
      return 'created';
    } catch (err) {
      if (err instanceof ApiException && err.code === 409) return 'exists';
      throw err;
    }
  }

  /** Deletes the object of that name only if it still has this uid (not a namesake made since); gone is done. */
  async delete(namespace: string, name: string, uid: string): Promise<void> {
    const { group, version, plural } = this.kind;
    try {
      await this.api.deleteNamespacedCustomObject({ group, version, plural, namespace, name, body: { preconditions: { uid }, propagationPolicy: 'Background' } });
    } catch (err) {
      if (err instanceof ApiException && (err.code === 404 || err.code === 409)) return;
      throw err;
    }
  }

  /** Replaces the status subresource of obj, as of obj.metadata.resourceVersion. */
  async replaceStatus(obj: T): Promise<T> {
    const { group, version, plural } = this.kind;
    const namespace = obj.metadata?.namespace ?? '';
    const name = obj.metadata?.name ?? '';
    try {
      return (await this.api.replaceNamespacedCustomObjectStatus({ group, version, plural, namespace, name, body: obj })) as T;
    } catch (err) {
      if (err instanceof ApiException && err.code === 409) throw new ConflictError(`${namespace}/${name}`);
      throw err;
    }
  }

  /**
   * Makes obj carry (present) or not carry the finalizer, touching no other. Throws ConflictError when obj changed
   * since it was read (a failed JSON Patch test answers 422, a stale version 409); undefined when obj is gone.
   */
  async setFinalizer(obj: T, finalizer: string, present: boolean): Promise<T | undefined> {
    const patch = finalizerPatch(obj, finalizer, present);
    if (!patch) return obj;
    const { group, version, plural } = this.kind;
    const namespace = obj.metadata?.namespace ?? '';
    const name = obj.metadata?.name ?? '';
    try {
      return (await this.api.patchNamespacedCustomObject(
        { group, version, plural, namespace, name, body: patch },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      )) as T;
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return undefined;
      if (err instanceof ApiException && (err.code === 409 || err.code === 422)) throw new ConflictError(`${namespace}/${name}`);
      throw err;
    }
  }
}
