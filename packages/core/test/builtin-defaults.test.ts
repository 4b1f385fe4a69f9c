import { describe, expect, it } from 'vitest';

// The parts of a defaulted Deployment the assertions read.
interface PodSpec {
  containers: Record<string, unknown>[];
  volumes: { configMap: { defaultMode?: number } }[];
  [key: string]: unknown;
}
interface Spec {
  template: { spec: PodSpec };
  [key: string]: unknown;
}

import { applyBuiltinDefaults, BUILTIN_DEFAULTS, type KubeObject, POD_SPEC_DEFAULTS } from '../src/index.js';

describe('applyBuiltinDefaults', () => {
  const deployment = (): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1.27',
              ports: [{ containerPort: 80 }],
              livenessProbe: { httpGet: { port: 80 } },
              env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
            },
            { name: 'sidecar', image: 'busybox' },
          ],
          volumes: [{ name: 'cfg', configMap: { name: 'cfg' } }],
        },
      },
    },
  });

  it('fills the defaults the API server gives a Deployment and its pod template', () => {
    const out = applyBuiltinDefaults(deployment()) as unknown as { spec: Spec };
    expect(out.spec).toMatchObject({
      replicas: 1,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    });
    const pod = out.spec.template.spec;
    expect(pod).toMatchObject({
      dnsPolicy: 'ClusterFirst',
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      terminationGracePeriodSeconds: 30,
      securityContext: {},
    });
    expect(pod.containers[0]).toMatchObject({
      imagePullPolicy: 'IfNotPresent',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      ports: [{ containerPort: 80, protocol: 'TCP' }],
      livenessProbe: {
        httpGet: { port: 80, path: '/', scheme: 'HTTP' },
        timeoutSeconds: 1,
        periodSeconds: 10,
        successThreshold: 1,
        failureThreshold: 3,
      },
      env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name', apiVersion: 'v1' } } }],
    });
    // Untagged image: Always.
    expect(pod.containers[1]?.imagePullPolicy).toBe('Always');
    expect(pod.volumes[0]?.configMap.defaultMode).toBe(420);
    // Absent probes are not created.
    expect(pod.containers[1]).not.toHaveProperty('livenessProbe');
  });

  it('returns a new object and keeps values already set', () => {
    const input = deployment() as unknown as { spec: Spec };
    input.spec.replicas = 5;
    input.spec.strategy = { type: 'Recreate' };
    const out = applyBuiltinDefaults(input as unknown as KubeObject) as unknown as { spec: Spec };
    expect(out.spec.replicas).toBe(5);
    expect(out.spec.strategy).toEqual({ type: 'Recreate' });
    expect(input.spec.template.spec).not.toHaveProperty('dnsPolicy');
  });

  it('defaults Services by type', () => {
    const svc = (spec: Record<string, unknown>): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec,
    });
    expect(applyBuiltinDefaults(svc({ ports: [{ port: 80 }] })).spec).toEqual({
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      sessionAffinity: 'None',
      type: 'ClusterIP',
      internalTrafficPolicy: 'Cluster',
    });
    expect(applyBuiltinDefaults(svc({ type: 'LoadBalancer' })).spec).toMatchObject({
      externalTrafficPolicy: 'Cluster',
      allocateLoadBalancerNodePorts: true,
    });
    expect(applyBuiltinDefaults(svc({ type: 'ExternalName', externalName: 'x' })).spec).not.toHaveProperty(
      'internalTrafficPolicy',
    );
  });

  it('tolerates malformed objects and leaves unknown kinds alone', () => {
    const bad = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: {}, spec: 'oops' } as KubeObject;
    expect(applyBuiltinDefaults(bad)).toEqual(bad);
    const cr = {
      apiVersion: 'x.io/v1',
      kind: 'Thing',
      metadata: { name: 't' },
      spec: { a: 1 },
    } as KubeObject;
    expect(applyBuiltinDefaults(cr)).toEqual(cr);
  });

  it('keeps its rules as data', () => {
    expect(BUILTIN_DEFAULTS['apps/Deployment']?.length).toBeGreaterThan(0);
    expect(POD_SPEC_DEFAULTS.some((r) => r.path === 'dnsPolicy' && r.value === 'ClusterFirst')).toBe(true);
  });
});
