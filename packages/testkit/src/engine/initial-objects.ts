import type { JsonObject } from '@gitops-kit/core';

/**
 * The objects every new cluster has: its four namespaces, and the API server's own Service
 * (`default/kubernetes`), which tools look for.
 */
export function initialObjects(): JsonObject[] {
  const namespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'].map(
    (name): JsonObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }),
  );
  return [
    ...namespaces,
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'kubernetes',
        namespace: 'default',
        labels: { component: 'apiserver', provider: 'kubernetes' },
      },
      spec: {
        type: 'ClusterIP',
        clusterIP: '10.96.0.1',
        clusterIPs: ['10.96.0.1'],
        ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
      },
    },
  ];
}
