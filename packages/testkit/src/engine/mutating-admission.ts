import type { JsonObject } from '@gitops-kit/core';
import { ApiStatusError } from '../api-error.js';
import type { ResourceType } from '../resources.js';

// Mutating admission webhooks, simulated in-process: what a MutatingWebhookConfiguration's webhook
// would do to an object (inject a sidecar, an annotation, a default the schema does not have), run
// by the engine on every create, update, patch and apply of the main resource, dry runs included,
// after kube-apiserver's defaulting and before validation, as the real admission chain does.

/** What a simulated mutating webhook is asked to admit. */
export interface MutatingAdmissionRequest {
  /** API group of the object (empty for core). */
  group: string;
  /** Served version. */
  version: string;
  /** Kind. */
  kind: string;
  /** Namespace (empty when cluster-scoped). */
  namespace: string;
  /** Name. */
  name: string;
  /** `CREATE` for a new object (apply included), `UPDATE` for a change of a stored one. */
  operation: 'CREATE' | 'UPDATE';
  /** The stored object before the write (UPDATE only): do not change it. */
  oldObject: JsonObject | undefined;
}

/** A simulated mutating webhook: which objects it sees, and how it changes them. */
export interface MutatingWebhook {
  /** Its name (in errors). */
  name: string;
  /** Only objects of this API group (empty for core); every group when absent. */
  group?: string | undefined;
  /** Only objects of this kind; every kind when absent. */
  kind?: string | undefined;
  /** Only these operations; both when absent. */
  operations?: readonly ('CREATE' | 'UPDATE')[] | undefined;
  /**
   * Changes `object` in place (a JSON object: keep it JSON). Throwing refuses the write: 400
   * `admission webhook "<name>" denied the request: <message>`, as kube-apiserver answers.
   */
  mutate(object: JsonObject, request: MutatingAdmissionRequest): void;
}

/** The registered mutating webhooks, run in registration order (as webhooks are, by name, in Kubernetes). */
export class MutatingAdmission {
  private readonly webhooks: MutatingWebhook[] = [];

  /** Registers a webhook; answers a function that removes it. */
  register(webhook: MutatingWebhook): () => void {
    this.webhooks.push(webhook);
    return () => {
      const at = this.webhooks.indexOf(webhook);
      if (at >= 0) this.webhooks.splice(at, 1);
    };
  }

  /** Runs the webhooks that select `obj` (changed in place); `old` is the stored object of an update. */
  run(type: ResourceType, obj: JsonObject, old: JsonObject | undefined): void {
    if (this.webhooks.length === 0) return;
    const meta = (obj.metadata ?? {}) as JsonObject;
    const request: MutatingAdmissionRequest = {
      group: type.group,
      version: type.version,
      kind: type.kind,
      namespace: typeof meta.namespace === 'string' ? meta.namespace : '',
      name: typeof meta.name === 'string' ? meta.name : '',
      operation: old === undefined ? 'CREATE' : 'UPDATE',
      oldObject: old,
    };
    for (const webhook of this.webhooks) {
      if (webhook.group !== undefined && webhook.group !== type.group) continue;
      if (webhook.kind !== undefined && webhook.kind !== type.kind) continue;
      if (webhook.operations !== undefined && !webhook.operations.includes(request.operation)) continue;
      try {
        webhook.mutate(obj, request);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        throw new ApiStatusError(
          400,
          'BadRequest',
          `admission webhook "${webhook.name}" denied the request: ${message}`,
        );
      }
    }
  }
}
