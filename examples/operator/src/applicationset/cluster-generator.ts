import { type KubeObject, matchesLabelSelector } from '@gitops-kit/core';
import {
  CLUSTER_SECRET_LABEL,
  CLUSTER_SECRET_TYPE,
  IN_CLUSTER_NAME,
  IN_CLUSTER_SERVER,
} from '../cluster-registry.js';
import type { ClusterInfo } from './context.js';
import type { ClusterGenerator } from './schema.js';
import { normalizeName, type ParamSet, renderTemplateString } from './template.js';

/** The cluster the operator runs in, as the cluster generator lists it. */
export const LOCAL_CLUSTER: ClusterInfo = { name: IN_CLUSTER_NAME, server: IN_CLUSTER_SERVER };

function decoded(secret: KubeObject, key: string): string | undefined {
  const stringData = secret.stringData as Record<string, unknown> | undefined;
  if (typeof stringData?.[key] === 'string') return stringData[key] as string;
  const data = secret.data as Record<string, unknown> | undefined;
  const b64 = data?.[key];
  return typeof b64 === 'string' ? Buffer.from(b64, 'base64').toString('utf8') : undefined;
}

/**
 * The clusters registered by Secrets labelled `gitops-kit.dev/secret-type: cluster` (the operator's
 * ClusterRegistry's): their `name` (default: the Secret's name), `server` and `project` keys and the
 * Secret's labels and annotations. Credentials are never read.
 */
export function clustersFromSecrets(secrets: Iterable<KubeObject>): ClusterInfo[] {
  const out: ClusterInfo[] = [];
  for (const secret of secrets) {
    const labels = (secret.metadata.labels ?? {}) as Record<string, string>;
    if (labels[CLUSTER_SECRET_LABEL] !== CLUSTER_SECRET_TYPE) continue;
    const server = decoded(secret, 'server');
    if (server === undefined || server === '') continue;
    const project = decoded(secret, 'project');
    out.push({
      name: decoded(secret, 'name') ?? secret.metadata.name ?? '',
      server,
      labels,
      annotations: (secret.metadata.annotations ?? {}) as Record<string, string>,
      ...(project !== undefined ? { project } : {}),
    });
  }
  return out;
}

function clusterParams(cluster: ClusterInfo): Record<string, string> {
  const params: Record<string, string> = {
    name: cluster.name,
    nameNormalized: normalizeName(cluster.name),
    server: cluster.server,
    project: cluster.project ?? '',
  };
  for (const [k, v] of Object.entries(cluster.labels ?? {})) params[`metadata.labels.${k}`] = v;
  for (const [k, v] of Object.entries(cluster.annotations ?? {})) params[`metadata.annotations.${k}`] = v;
  return params;
}

/**
 * The cluster generator: one parameter set per registered cluster whose Secret's labels match the
 * selector, plus the local cluster (`in-cluster`) when there is no selector, as in Argo CD. Each
 * set has `name`, `nameNormalized`, `server`, `project`, `metadata.labels.<key>`,
 * `metadata.annotations.<key>`, and `values.<key>` rendered from those. In cluster order.
 */
export function clusterParamSets(
  generator: ClusterGenerator,
  clusters: readonly ClusterInfo[],
  path: string,
): ParamSet[] {
  const selector = generator.selector ?? {};
  const empty =
    Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
  const candidates = [...clusters];
  if (empty && !clusters.some((c) => c.server === IN_CLUSTER_SERVER)) candidates.unshift(LOCAL_CLUSTER);
  const out: ParamSet[] = [];
  for (const cluster of candidates) {
    if (!empty && !matchesLabelSelector(selector, cluster.labels ?? {}, { path: `${path}.selector` }))
      continue;
    const base = clusterParams(cluster);
    const params = { ...base };
    for (const [k, v] of Object.entries(generator.values ?? {})) {
      params[`values.${k}`] = renderTemplateString(v, base);
    }
    out.push(params);
  }
  return out;
}
