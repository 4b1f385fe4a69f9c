import { formatYamlPath, ValidationError } from '@gitops-kit/core';

/** The path to the first `bigint` under `value` (keys outermost first), or undefined. */
function findBigInt(value: unknown): (string | number)[] | undefined {
  if (typeof value === 'bigint') return [];
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findBigInt(value[i]);
      if (found !== undefined) {
        found.unshift(i);
        return found;
      }
    }
    return undefined;
  }
  const obj = value as Record<string, unknown>;
  for (const key in obj) {
    if (!Object.hasOwn(obj, key)) continue;
    const found = findBigInt(obj[key]);
    if (found !== undefined) {
      found.unshift(key);
      return found;
    }
  }
  return undefined;
}

function describeDesired(obj: unknown, index: number): string {
  if (obj === null || typeof obj !== 'object') return `desired object #${index}`;
  const o = obj as { kind?: unknown; metadata?: { namespace?: unknown; name?: unknown } | null };
  const parts = [o.kind, o.metadata?.namespace, o.metadata?.name].filter(
    (p): p is string => typeof p === 'string' && p !== '',
  );
  return parts.length > 0 ? parts.join('/') : `desired object #${index}`;
}

/**
 * Refuses desired objects that are not plain JSON because they hold a `bigint` (what a YAML parser
 * keeping integers beyond 2^53 exact produces, core's `bigIntegers: 'bigint'`): such an object
 * cannot be diffed, hashed nor sent (`JSON.stringify` throws a TypeError), and rounding it silently
 * would write a different value. Throws a `ValidationError` with code `INEXACT_INTEGER` naming
 * the object and the field. Walks the objects once, copies nothing; stops at the first bigint.
 */
export function assertNoBigIntegers(desired: readonly unknown[]): void {
  for (let index = 0; index < desired.length; index++) {
    const obj = desired[index];
    const found = findBigInt(obj);
    if (found === undefined) continue;
    const field = formatYamlPath(found);
    const label = describeDesired(obj, index);
    // The value itself is left out: it may be a Secret's.
    throw new ValidationError(
      `${label} holds an integer as a bigint: desired objects must be plain JSON, and a JavaScript ` +
        'number holds integers exactly only up to 2^53, so it cannot be sent as written; nothing was planned or applied',
      { code: 'INEXACT_INTEGER', path: field, details: { object: label, index } },
    );
  }
}
