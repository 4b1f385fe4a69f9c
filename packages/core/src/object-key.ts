import { formatApiVersion, parseApiVersion } from './api-version.js';
import { ValidationError } from './errors.js';
import type { KubeObject } from './kube-object.js';

/**
 * The identity of an object: group, version, kind, namespace and name. The core group is `''`; a
 * cluster-scoped object has namespace `''`.
 */
export interface ObjectKey {
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
}

// Objects reach here from YAML and from the wire unchecked; a key field that is not a string
// (`namespace: {…}`) would otherwise fail later, far away, as a TypeError when the key is joined.
function keyField(value: unknown, fallback: string, path: string): string {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'string') return value;
  throw new ValidationError(
    `${path} must be a string, not ${Array.isArray(value) ? 'a list' : typeof value}`,
    {
      path,
    },
  );
}

/**
 * The key of an object. `defaultNamespace` fills a missing namespace of a namespaced object. A
 * kind, namespace or name that is not a string is a `ValidationError` naming the field.
 */
export function objectKeyOf(obj: KubeObject, defaultNamespace = ''): ObjectKey {
  const { group, version } = parseApiVersion(obj.apiVersion);
  return {
    group,
    version,
    kind: keyField(obj.kind, '', 'kind'),
    namespace: keyField(obj.metadata.namespace, defaultNamespace, 'metadata.namespace'),
    name: keyField(obj.metadata.name, '', 'metadata.name'),
  };
}

// `~` cannot appear in a group, version, kind, namespace or name (all are DNS labels, DNS
// subdomains or identifiers), and `/` can in none but the group, so the string form
// `group/version/kind/namespace/name` (with `~` standing for the empty core group and for an empty
// namespace) parses back without ambiguity.
const EMPTY = '~';

/**
 * The stable string form of a key: `apps/v1/Deployment/default/web`, with `~` for the core group or
 * a cluster scope: `~/v1/Namespace/~/prod`. Suitable as a map key and for logs.
 */
export function formatObjectKey(key: ObjectKey): string {
  return [key.group || EMPTY, key.version, key.kind, key.namespace || EMPTY, key.name].join('/');
}

/** Parses the string form written by {@link formatObjectKey}. */
export function parseObjectKey(text: string): ObjectKey {
  const parts = text.split('/');
  if (parts.length !== 5 || parts.some((p) => p === '')) {
    throw new ValidationError(`"${text}" is not an object key; expected group/version/kind/namespace/name`, {
      code: 'VALIDATION_ERROR',
    });
  }
  const [group, version, kind, namespace, name] = parts as [string, string, string, string, string];
  return {
    group: group === EMPTY ? '' : group,
    version,
    kind,
    namespace: namespace === EMPTY ? '' : namespace,
    name,
  };
}

/**
 * A key that ignores the version: objects are the same object across versions of their group
 * (`apps/v1` and `apps/v1beta2` Deployments), which is how diffing and pruning must match them.
 */
export function groupKindKey(key: ObjectKey): string {
  return [key.group || EMPTY, key.kind, key.namespace || EMPTY, key.name].join('/');
}

/** The apiVersion of a key. */
export function apiVersionOfKey(key: ObjectKey): string {
  return formatApiVersion(key.group, key.version);
}

/** True when two keys name the same object (version ignored). */
export function sameObject(a: ObjectKey, b: ObjectKey): boolean {
  return a.group === b.group && a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;
}

/** A short human form, `Deployment/default/web` or `Namespace/prod`, for messages. */
export function describeObjectKey(key: ObjectKey): string {
  return key.namespace ? `${key.kind}/${key.namespace}/${key.name}` : `${key.kind}/${key.name}`;
}
