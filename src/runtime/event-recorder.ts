// Emits events.k8s.io/v1 Events about an object, so `kubectl describe` and `kubectl events` tell its story.
// A failed emit is logged, never thrown: events are for people, not for correctness.
import { createHash, randomBytes } from 'node:crypto';
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
/** An event's name is a DNS subdomain: at most 253 characters. */
const MAX_NAME = 253;

/**
 * The event's name, as client-go names it: the object's name, a dot and a suffix unique to the event. A name too long
 * for that keeps as much of the object's name as fits (ending on a letter or digit, as a DNS label must), then a
 * digest of the whole name, so objects that share a long prefix still get names of their own.
 */
export function eventName(objectName: string, suffix: string): string {
  const name = `${objectName}.${suffix}`;
  if (name.length <= MAX_NAME) return name;
  const digest = createHash('sha256').update(objectName).digest('hex').slice(0, 16);
  const prefix = objectName.slice(0, MAX_NAME - suffix.length - digest.length - 2).replace(/[^a-z0-9]+$/, '');
  return `${prefix}.${digest}.${suffix}`;
}

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
          metadata: { name: eventName(obj.metadata?.name ?? 'object', `${Date.now().toString(16)}${randomBytes(2).toString('hex')}`), namespace },
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
