// Emits events.k8s.io/v1 Events about an object, so `kubectl describe` and `kubectl events` tell its story.
// A failed emit is logged, never thrown: events are for people, not for correctness.
import { randomBytes } from 'node:crypto';
import { EventsV1Api, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'winston';
import { errorMessage, truncate } from './error-message.ts';
import { microTime } from './micro-time.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventSink {
  emit(obj: KubernetesObject, type: EventType, reason: string, message: string): Promise<void>;
}

/** Kubernetes rejects event notes over 1 kB. */
const MAX_NOTE = 1024;

export class EventRecorder implements EventSink {
  private readonly api: EventsV1Api;

  constructor(
    kubeConfig: KubeConfig,
    private readonly controller: string,
    private readonly instance: string,
    private readonly log: Logger,
  ) {
    this.api = kubeConfig.makeApiClient(EventsV1Api);
  }

  async emit(obj: KubernetesObject, type: EventType, reason: string, message: string): Promise<void> {
    const namespace = obj.metadata?.namespace ?? 'default';
    const note = truncate(message, MAX_NOTE);
    try {
      await this.api.createNamespacedEvent({
        namespace,
        body: {
          // Named as client-go names them: the object's name and a unique suffix.
          metadata: { name: `${obj.metadata?.name ?? 'object'}.${Date.now().toString(16)}${randomBytes(2).toString('hex')}`, namespace },
          eventTime: microTime(new Date()),
          reportingController: this.controller,
          reportingInstance: this.instance,
          action: reason,
          reason,
          type,
          note,
          regarding: {
            apiVersion: obj.apiVersion,
            kind: obj.kind,
            name: obj.metadata?.name,
            namespace,
            uid: obj.metadata?.uid,
            resourceVersion: obj.metadata?.resourceVersion,
          },
        },
      });
    } catch (err) {
      this.log.warn('Could not record an event', { reason, error: errorMessage(err) });
    }
  }
}
