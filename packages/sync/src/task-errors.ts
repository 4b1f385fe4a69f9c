import { KubeApiError } from '@gitops-kit/cluster';
import { describeObjectKey, GitOpsError, type ObjectKey } from '@gitops-kit/core';
import { SyncError } from './errors.js';
import { redactSecretValues } from './secret-values.js';

/** True for the server's refusal to change an immutable field (a 422 saying so). */
export function isImmutableError(err: unknown): boolean {
  if (!(err instanceof KubeApiError) || err.status !== 422) return false;
  return /immutable/i.test(err.message) || err.causes.some((c) => /immutable/i.test(c.message ?? ''));
}

function isSecretKey(key: ObjectKey): boolean {
  return key.group === '' && key.kind === 'Secret';
}

/**
 * Turns any failure into a GitOpsError whose message is safe to show, whatever threw it. For a
 * Secret the server's message (which may quote a value) is withheld: only the reason and the
 * fields remain; so is the message of an error that is not one of ours (a client that throws a
 * plain Error quoting the object). Every message, of any object, is then cleared of `secretValues`
 * (the plan's Secret values, see `secretValuesOf`), its cause and details dropped when they quote one.
 */
export function safeError(err: unknown, key: ObjectKey, secretValues: readonly string[] = []): GitOpsError {
  const safe = withheldForSecret(err, key);
  if (secretValues.length === 0) return safe;
  const json = JSON.stringify(safe.toJSON());
  if (redactSecretValues(json, secretValues) === json) return safe;
  return new SyncError(redactSecretValues(safe.reason, secretValues), {
    code: safe.code,
    file: safe.file,
    line: safe.line,
    path: safe.path,
  });
}

function withheldForSecret(err: unknown, key: ObjectKey): GitOpsError {
  const who = describeObjectKey(key);
  if (isSecretKey(key) && !(err instanceof GitOpsError)) {
    const name = err instanceof Error ? err.name : typeof err;
    return new SyncError(
      `${who}: the client failed (${name}); its message is withheld because the object is a Secret`,
      { code: 'INTERNAL' },
    );
  }
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
    `${describeObjectKey(key)}: cannot update immutable field${fields.length === 1 ? '' : 's'} ${fields.join(', ') || '(unknown)'}; sync with force (or annotate argocd.argoproj.io/sync-options: Force=true,Replace=true) to delete and recreate it`,
    { code: 'INVALID', path: fields[0], cause: isSecretKey(key) ? undefined : err },
  );
}
