import { ValidationError } from '@gitops-kit/core';

/** A full object id: 40 hex digits (SHA-1) or 64 (SHA-256), lower case. */
export const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** Throws a `ValidationError` (path `commit`) unless `oid` is a full object id. */
export function checkObjectId(oid: string): void {
  if (!OBJECT_ID.test(oid)) {
    throw new ValidationError(`"${oid.slice(0, 80)}" is not a full object id`, { path: 'commit' });
  }
}
