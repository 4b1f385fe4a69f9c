import { ValidationError } from '@gitops-kit/core';
import type { z } from 'zod';
import { type Application, applicationSchema } from './application-schema.js';

function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out;
}

/**
 * Validates an object as an Application and answers it typed. Throws a `ValidationError` whose
 * `path` is the first field at fault (`spec.source.repoURL`) and whose details list every issue, so
 * the operator can put one readable message in a condition.
 */
export function parseApplication(value: unknown, file?: string): Application {
  const result = applicationSchema.safeParse(value);
  if (result.success) return result.data;
  throw applicationValidationError(result.error, file);
}

function applicationValidationError(error: z.ZodError, file: string | undefined): ValidationError {
  const issues = error.issues.map((i) => ({ path: formatIssuePath(i.path), message: i.message }));
  const first = issues[0];
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return new ValidationError(`invalid Application: ${first?.message ?? 'invalid'}${more}`, {
    file,
    path: first?.path || undefined,
    details: { issues },
  });
}

/** `namespace/name` of an Application: its key in the work queue, logs and metrics. */
export function applicationKey(app: {
  metadata: { namespace?: string | undefined; name?: string | undefined };
}): string {
  return `${app.metadata.namespace ?? ''}/${app.metadata.name ?? ''}`;
}

/** Splits a `namespace/name` key. */
export function splitApplicationKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  if (slash < 0) return { namespace: '', name: key };
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/**
 * The app name written in tracking ids for an Application: `<namespace>_<name>` (a namespace never
 * contains `_`, so the key is recovered exactly by {@link applicationKeyOfTrackedApp}).
 */
export function trackingAppName(key: string): string {
  const { namespace, name } = splitApplicationKey(key);
  return namespace ? `${namespace}_${name}` : name;
}

/** The Application key (`namespace/name`) of a tracking id's app name. */
export function applicationKeyOfTrackedApp(app: string): string {
  const at = app.indexOf('_');
  return at < 0 ? `/${app}` : `${app.slice(0, at)}/${app.slice(at + 1)}`;
}
