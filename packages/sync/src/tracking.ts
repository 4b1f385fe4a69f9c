import {
  deepCopyJson,
  isClusterScopedKind,
  type JsonValue,
  type KubeObject,
  type ObjectKey,
  objectKeyOf,
  parseApiVersion,
} from '@gitops-kit/core';
import { ARGOCD_TRACKING_ANNOTATION, INSTANCE_LABEL, TRACKING_ANNOTATION } from './annotations.js';

/**
 * How objects are marked as belonging to an app: `annotation` (default, `gitops-kit.dev/tracking-id`),
 * `argocd-annotation` (Argo CD's `argocd.argoproj.io/tracking-id`, same format) or `label`
 * (`app.kubernetes.io/instance: <app>`, which names the app only: copies made by controllers carry it
 * too, which is why the annotation, naming the object itself, is the default).
 */
export type TrackingMethod = 'annotation' | 'argocd-annotation' | 'label';

/** A parsed tracking id. */
export interface TrackingId {
  /** The app. */
  app: string;
  /** The object's API group (`''` for core). */
  group: string;
  /** The object's kind. */
  kind: string;
  /** The namespace (`''` when cluster-scoped). */
  namespace: string;
  /** The name. */
  name: string;
}

/** `<app>:<group>/<Kind>:<namespace>/<name>`, Argo CD's tracking id format. */
export function formatTrackingId(
  app: string,
  key: Pick<ObjectKey, 'group' | 'kind' | 'namespace' | 'name'>,
): string {
  return `${app}:${key.group}/${key.kind}:${key.namespace}/${key.name}`;
}

/** Parses a tracking id; undefined when the text is not one. */
export function parseTrackingId(text: string): TrackingId | undefined {
  const m = /^([^:]+):([^/:]*)\/([^:/]+):([^/:]*)\/([^/:]+)$/.exec(text.trim());
  if (!m) return undefined;
  return {
    app: m[1] as string,
    group: m[2] as string,
    kind: m[3] as string,
    namespace: m[4] as string,
    name: m[5] as string,
  };
}

/** The annotation a tracking method writes, undefined for label tracking. */
export function trackingAnnotationOf(method: TrackingMethod): string | undefined {
  if (method === 'annotation') return TRACKING_ANNOTATION;
  if (method === 'argocd-annotation') return ARGOCD_TRACKING_ANNOTATION;
  return undefined;
}

/**
 * The key of an object with its namespace settled: cluster-scoped kinds get `''`, namespaced ones
 * without a namespace get `defaultNamespace`. `clusterScoped` decides kinds the core table does not know.
 */
export function resolvedKeyOf(
  obj: KubeObject,
  defaultNamespace: string,
  clusterScoped?: (group: string, kind: string) => boolean | undefined,
): ObjectKey {
  const key = objectKeyOf(obj, defaultNamespace);
  const group = parseApiVersion(obj.apiVersion).group;
  if (clusterScoped?.(group, obj.kind) ?? isClusterScopedKind(group, obj.kind)) key.namespace = '';
  return key;
}

/** A copy of `obj` marked as belonging to `app` with the given method. */
export function withTracking(
  obj: KubeObject,
  app: string,
  key: ObjectKey,
  method: TrackingMethod,
): KubeObject {
  const copy = deepCopyJson(obj as unknown as JsonValue) as unknown as KubeObject;
  copy.metadata = copy.metadata ?? {};
  const annotation = trackingAnnotationOf(method);
  if (annotation)
    copy.metadata.annotations = {
      ...(copy.metadata.annotations ?? {}),
      [annotation]: formatTrackingId(app, key),
    };
  else copy.metadata.labels = { ...(copy.metadata.labels ?? {}), [INSTANCE_LABEL]: app };
  return copy;
}

/**
 * The app a live object belongs to under a tracking method, or undefined. With annotation tracking
 * the id must name the object itself: a controller that copies annotations onto what it creates (a
 * Deployment's ReplicaSets) does not make the copies part of the app.
 */
export function trackedAppOf(obj: KubeObject, method: TrackingMethod): string | undefined {
  const annotation = trackingAnnotationOf(method);
  if (!annotation) {
    const label = obj.metadata?.labels?.[INSTANCE_LABEL];
    return typeof label === 'string' && label !== '' ? label : undefined;
  }
  // A live object may come without metadata (a malformed list item): it is no one's.
  const meta: Partial<KubeObject['metadata']> = obj.metadata ?? {};
  const text = meta.annotations?.[annotation];
  if (typeof text !== 'string') return undefined;
  const id = parseTrackingId(text);
  if (!id) return undefined;
  const group = parseApiVersion(obj.apiVersion).group;
  // The id's name is never empty, so an object without a name never matches.
  if (id.group !== group || id.kind !== obj.kind || id.name !== meta.name) return undefined;
  if (id.namespace !== (meta.namespace ?? '')) return undefined;
  return id.app;
}

/** True when a live object carries `app`'s tracking id under the given method. */
export function isTrackedBy(obj: KubeObject, app: string, method: TrackingMethod): boolean {
  return trackedAppOf(obj, method) === app;
}
