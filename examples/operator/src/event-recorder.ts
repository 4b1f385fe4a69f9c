import type { ClusterClient } from '@gitops-kit/cluster';
import type { KubeObject } from '@gitops-kit/core';

/** `Normal` or `Warning`, as Kubernetes Events. */
export type EventType = 'Normal' | 'Warning';

/** Options of {@link EventRecorder}. */
export interface EventRecorderOptions {
  /** The client to write Events with. */
  client: ClusterClient;
  /** `source.component` of the Events. Default `gitops-kit-operator`. */
  component?: string | undefined;
  /** `reportingInstance` (this replica). */
  instance?: string | undefined;
  /** Repeated Events within this window update the first one's count. Default 10 minutes. */
  aggregationWindowMs?: number | undefined;
  /** Called when writing an Event fails (Events are best effort and never fail a reconcile). */
  onError?: ((error: unknown) => void) | undefined;
  /** The current time (for tests). */
  now?: (() => Date) | undefined;
}

// The API server refuses longer messages.
const MAX_MESSAGE_BYTES = 1024;
const MAX_CACHED = 4096;

function truncate(message: string): string {
  const bytes = Buffer.from(message);
  if (bytes.length <= MAX_MESSAGE_BYTES) return message;
  return `${bytes
    .subarray(0, MAX_MESSAGE_BYTES - 3)
    .toString('utf8')
    .replace(/\uFFFD$/, '')}...`;
}

/**
 * Writes core/v1 Events about Applications, as client-go's recorder does: an Event repeated for
 * the same object, type, reason and message within the aggregation window bumps the count and
 * `lastTimestamp` of the first instead of creating another. Best effort: failures are reported to
 * `onError`, never thrown.
 */
export class EventRecorder {
  private readonly options: EventRecorderOptions;
  private readonly recent = new Map<
    string,
    { name: string; namespace: string; count: number; first: number }
  >();
  private sequence = 0;

  constructor(options: EventRecorderOptions) {
    this.options = options;
  }

  /** Records an Event about `object`. */
  async record(object: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const now = (this.options.now ?? (() => new Date()))();
    const stamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const namespace = object.metadata.namespace ?? 'default';
    const text = truncate(message);
    const cacheKey = [
      object.metadata.uid ?? '',
      object.kind,
      namespace,
      object.metadata.name,
      type,
      reason,
      text,
    ].join('\u0000');
    const window = this.options.aggregationWindowMs ?? 10 * 60_000;
    try {
      const seen = this.recent.get(cacheKey);
      if (seen && now.getTime() - seen.first < window) {
        seen.count++;
        await this.options.client.patch(
          { apiVersion: 'v1', kind: 'Event', namespace: seen.namespace, name: seen.name },
          'merge',
          { count: seen.count, lastTimestamp: stamp },
        );
        return;
      }
      const name = `${object.metadata.name ?? 'object'}.${now.getTime().toString(16)}${(this.sequence++ % 4096).toString(16).padStart(3, '0')}`;
      await this.options.client.create({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: {
          apiVersion: object.apiVersion,
          kind: object.kind,
          name: object.metadata.name,
          namespace,
          uid: object.metadata.uid,
          resourceVersion: object.metadata.resourceVersion,
        },
        type,
        reason,
        message: text,
        count: 1,
        firstTimestamp: stamp,
        lastTimestamp: stamp,
        source: { component: this.options.component ?? 'gitops-kit-operator' },
        reportingComponent: this.options.component ?? 'gitops-kit-operator',
        reportingInstance: this.options.instance ?? '',
      });
      if (this.recent.size >= MAX_CACHED) this.recent.delete(this.recent.keys().next().value as string);
      this.recent.set(cacheKey, { name, namespace, count: 1, first: now.getTime() });
    } catch (err) {
      this.options.onError?.(err);
    }
  }
}
