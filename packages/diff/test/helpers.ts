import { applyBuiltinDefaults, type KubeObject } from '@gitops-kit/core';

/** A Deployment as written in Git. */
export function desiredDeployment(
  overrides: { image?: string; replicas?: number; cpu?: string } = {},
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
    spec: {
      replicas: overrides.replicas ?? 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: overrides.image ?? 'nginx:1.27',
              ports: [{ containerPort: 80 }],
              resources: { requests: { cpu: overrides.cpu ?? '500m', memory: '256Mi' } },
            },
          ],
        },
      },
    },
  };
}

/**
 * What the API server returns for `desired` once applied with kubectl: defaults filled in, server
 * metadata, the last-applied annotation, managedFields and a status.
 */
export function liveFrom(
  desired: KubeObject,
  options: { lastApplied?: boolean; manager?: string } = {},
): KubeObject {
  const live = applyBuiltinDefaults(structuredClone(desired));
  live.metadata = {
    ...live.metadata,
    uid: '3c2b6a0e-0000-4000-8000-000000000001',
    resourceVersion: '4711',
    generation: 3,
    creationTimestamp: '2026-01-01T00:00:00Z',
    managedFields: [
      {
        manager: options.manager ?? 'kubectl-client-side-apply',
        operation: 'Update',
        apiVersion: desired.apiVersion,
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:metadata': { 'f:labels': { 'f:app': {} } } },
      },
    ],
  };
  if (options.lastApplied) {
    live.metadata.annotations = {
      ...(live.metadata.annotations ?? {}),
      'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify(desired)}\n`,
    };
  }
  live.status = { observedGeneration: 3, replicas: 2, readyReplicas: 2 };
  return live;
}
