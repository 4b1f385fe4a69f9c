import type { KubeObject } from '@gitops-kit/core';

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * `Kind/namespace/name` for messages and diff titles. Reads only string fields: the objects come
 * from users and servers, and interpolating a malformed field (an array, an object without a usable
 * `toString`) would throw a TypeError instead of naming the object.
 */
export function describeObject(obj: KubeObject): string {
  const ns = text(obj.metadata?.namespace);
  return `${text(obj.kind)}/${ns ? `${ns}/` : ''}${text(obj.metadata?.name)}`;
}
