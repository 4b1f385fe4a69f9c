import { KubeApiError } from '@gitops-kit/cluster';
import { GitOpsError, type ObjectKey } from '@gitops-kit/core';
import { SyncError } from './errors.js';

/** `Kind/namespace/name` (or `Kind/name`) of an object, for messages. */
export function describeKey(key: ObjectKey): string {
  return key.namespace ? `${key.kind}/${key.namespace}/${key.name}` : `${key.kind}/${key.name}`;
}

/** True for the server's refusal to change an immutable field (a 422 saying so). */
export function isImmutableError(err: unknown): boolean {
  if (!(err instanceof KubeApiError) || err.status !== 422) return false;
  return /immutable/i.test(err.message) || err.causes.some((c) => /immutable/i.test(c.message ?? ''));
}

function isSecretKey(key: ObjectKey): boolean {
  return key.group === '' && key.kind === 'Secret';
}

/**
 * Turns any failure into a GitOpsError whose message is safe to show. For Secrets the server's
 * message (which may quote a value) is withheld: only the reason and the fields remain.
 */
export function safeError(err: unknown, key: ObjectKey): GitOpsError {
  const who = describeKey(key);
  if (isSecretKey(key) && err instanceof KubeApiError) {
    const fields = err.causes.map((c) => c.field).filter((f): f is string => !!f);
    return new SyncError(
      `${who}: ${err.kubeReason || 'error'} (HTTP ${err.status})${fields.length ? ` at ${fields.join(', ')}` : ''}; the server's message is withheld because the object is a Secret`,
      { code: err.code, path: fields[0] },
    );
  }
  if (err instanceof GitOpsError) return err;
  return new SyncError(`${who}: ${err instanceof Error ? err.message : String(err)}`, { code: 'INTERNAL' });
}

/**
 * An immutable-field refusal said so a person can act on it (the fields, and how to force a
 * recreate); any other error as it is.
 */
export function explainTaskError(err: unknown, key: ObjectKey): unknown {
  if (!isImmutableError(err)) return err;
  const fields = (err as KubeApiError).causes.map((c) => c.field).filter((f): f is string => !!f);
  return new SyncError(
    `${describeKey(key)}: cannot update immutable field${fields.length === 1 ? '' : 's'} ${fields.join(', ') || '(unknown)'}; sync with force (or annotate argocd.argoproj.io/sync-options: Force=true,Replace=true) to delete and recreate it`,
    { code: 'INVALID', path: fields[0], cause: isSecretKey(key) ? undefined : err },
  );
}
