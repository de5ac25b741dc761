// The apiserver as kubectl would reach it: --kubeconfig (else KUBECONFIG, else ~/.kube/config), --context (else the
// current one) and -n (else the context's namespace, else default); and the restore calls the commands make.
import { ApiException, CoreV1Api, CustomObjectsApi, KubeConfig, Watch, type CoreV1Event } from '@kubernetes/client-node';
import { GROUP, PLURAL, VERSION, type DynamoDBRestore } from '../api/dynamodb-restore.ts';
import { UsageError, type Connection, type DryRun } from './command-line.ts';
import type { RestoreManifest } from './restore-manifest.ts';

export class NotFoundError extends Error {
  constructor(namespace: string, name: string) {
    super(`dynamodbrestore "${name}" not found in namespace "${namespace}"`);
    this.name = 'NotFoundError';
  }
}

export class KubeSession {
  readonly namespace: string;
  private readonly objects: CustomObjectsApi;

  private constructor(readonly kubeConfig: KubeConfig, namespace: string | undefined) {
    this.namespace = namespace ?? kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace ?? 'default';
    this.objects = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  static open(connection: Connection): KubeSession {
    const kubeConfig = new KubeConfig();
    if (connection.kubeconfig !== undefined) kubeConfig.loadFromFile(connection.kubeconfig);
    else kubeConfig.loadFromDefault();
    if (connection.context !== undefined) {
      if (!kubeConfig.getContextObject(connection.context)) throw new UsageError(`context "${connection.context}" is not in the kubeconfig`);
      kubeConfig.setCurrentContext(connection.context);
    }
    return new KubeSession(kubeConfig, connection.namespace);
  }

  async get(name: string): Promise<DynamoDBRestore> {
    try {
      return (await this.objects.getNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace: this.namespace, name })) as DynamoDBRestore;
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) throw new NotFoundError(this.namespace, name);
      throw err;
    }
  }

  async names(): Promise<string[]> {
    const list = (await this.objects.listNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace: this.namespace })) as { items: DynamoDBRestore[] };
    return list.items.map((r) => r.metadata.name);
  }

  /** Creates the restore (server: the apiserver checks it all, CEL rules too, and stores nothing). */
  async create(manifest: RestoreManifest, dryRun: Exclude<DryRun, 'client'>): Promise<DynamoDBRestore> {
    return (await this.objects.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      plural: PLURAL,
      namespace: manifest.metadata.namespace,
      body: manifest,
      // As kubectl: an unknown field is an error, not silently dropped.
      fieldValidation: 'Strict',
      ...(dryRun === 'server' && { dryRun: 'All' }),
    })) as DynamoDBRestore;
  }

  /** The events about this very resource (by uid: not a deleted namesake's), oldest first. */
  async events(restore: DynamoDBRestore): Promise<CoreV1Event[]> {
    const list = await this.kubeConfig.makeApiClient(CoreV1Api).listNamespacedEvent({
      namespace: restore.metadata.namespace,
      fieldSelector: `involvedObject.uid=${restore.metadata.uid}`,
    });
    return list.items.sort((a, b) => eventTime(a) - eventTime(b));
  }

  /**
   * Calls onChange with the restore as it changes, from resourceVersion on, until the watch ends (the server closes
   * it now and then; the caller watches again). Resolves to a function that stops it.
   */
  async watch(name: string, resourceVersion: string, onChange: (restore: DynamoDBRestore | undefined) => void, onEnd: (err: unknown) => void): Promise<() => void> {
    const path = `/apis/${GROUP}/${VERSION}/namespaces/${this.namespace}/${PLURAL}`;
    const controller = await new Watch(this.kubeConfig).watch(
      path,
      { fieldSelector: `metadata.name=${name}`, resourceVersion },
      (type: string, object: DynamoDBRestore) => onChange(type === 'DELETED' ? undefined : object),
      onEnd,
    );
    return () => controller.abort();
  }
}

/** When the event happened: events.k8s.io's eventTime, or the core API's timestamps (ms since the epoch). */
export function eventTime(event: CoreV1Event): number {
  const at = event.eventTime ?? event.lastTimestamp ?? event.firstTimestamp ?? event.metadata.creationTimestamp;
  return at ? new Date(at).getTime() : 0;
}

/** The message an apiserver refusal carries (a 422 names the field and rule), else the error's own. */
export function apiErrorMessage(err: unknown): string {
  if (err instanceof ApiException) {
    try {
      return String((JSON.parse(String(err.body)) as { message?: string }).message ?? err.message);
    } catch {
      return `the apiserver answered ${err.code}: ${String(err.body)}`;
    }
  }
  return err instanceof Error ? err.message : String(err);
}
