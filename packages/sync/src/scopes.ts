import { isJsonObject, type KubeObject, parseApiVersion } from '@gitops-kit/core';

/** `group/Kind` a CRD object introduces, or undefined. */
export function crdIntroduces(obj: KubeObject | undefined): string | undefined {
  if (obj?.kind !== 'CustomResourceDefinition') return undefined;
  if (parseApiVersion(obj.apiVersion).group !== 'apiextensions.k8s.io') return undefined;
  const spec = obj.spec;
  if (!isJsonObject(spec) || typeof spec.group !== 'string' || !isJsonObject(spec.names)) return undefined;
  const kind = spec.names.kind;
  return typeof kind === 'string' ? `${spec.group}/${kind}` : undefined;
}

/**
 * Whether a kind is cluster-scoped, as far as an application's objects tell: `override` first, then
 * the scope the desired CRDs declare, then what the live objects show (no namespace: cluster-scoped).
 * Undefined when none of them knows, so the caller falls back to the built-in table.
 */
export function clusterScopeResolver(
  desired: readonly KubeObject[],
  live: readonly KubeObject[],
  override?: ((group: string, kind: string) => boolean | undefined) | undefined,
): (group: string, kind: string) => boolean | undefined {
  const scopes = new Map<string, boolean>();
  for (const obj of desired) {
    const gk = crdIntroduces(obj);
    if (gk) scopes.set(gk, isJsonObject(obj.spec) && obj.spec.scope === 'Cluster');
  }
  for (const obj of live) {
    const gk = `${parseApiVersion(obj.apiVersion).group}/${obj.kind}`;
    if (!scopes.has(gk)) scopes.set(gk, !obj.metadata?.namespace);
  }
  return (group, kind) => override?.(group, kind) ?? scopes.get(`${group}/${kind}`);
}
