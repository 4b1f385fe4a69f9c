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

  it('defaults by apiVersion where old versions differ', () => {
    const dep = (apiVersion: string) => ({ ...deployment(), apiVersion }) as KubeObject;
    const spec = (obj: KubeObject) => applyBuiltinDefaults(obj).spec as Record<string, unknown>;
    expect(spec(dep('apps/v1'))).toMatchObject({
      revisionHistoryLimit: 10,
      strategy: { rollingUpdate: { maxSurge: '25%' } },
    });
    expect(spec(dep('apps/v1beta1'))).toMatchObject({ revisionHistoryLimit: 2 });
    expect(spec(dep('extensions/v1beta1'))).toMatchObject({
      revisionHistoryLimit: 2147483647,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
    });
    const sts = (apiVersion: string) =>
      applyBuiltinDefaults({ apiVersion, kind: 'StatefulSet', metadata: { name: 's' }, spec: {} })
        .spec as Record<string, unknown>;
    expect(sts('apps/v1beta1')).toMatchObject({ updateStrategy: { type: 'OnDelete' } });
    expect(sts('apps/v1')).toMatchObject({
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
    });
  });

  it('defaults admission webhooks', () => {
    const hook = applyBuiltinDefaults({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: 'w' },
      webhooks: [
        {
          name: 'a.example.com',
          clientConfig: { service: { name: 's', namespace: 'n' } },
          rules: [{ operations: ['CREATE'] }],
        },
      ],
    } as KubeObject);
    expect((hook.webhooks as unknown[])[0]).toMatchObject({
      failurePolicy: 'Fail',
      matchPolicy: 'Equivalent',
      timeoutSeconds: 10,
      reinvocationPolicy: 'Never',
      clientConfig: { service: { port: 443 } },
      rules: [{ operations: ['CREATE'], scope: '*' }],
    });
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
