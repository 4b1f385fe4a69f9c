import { applyBuiltinDefaults, type KubeObject } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { diff, normalizeObject } from '../src/index.js';
import { desiredDeployment, liveFrom } from './helpers.js';

// Each normalisation: the raw objects differ (a naive comparison says OutOfSync), the diff says
// Synced, and a real change of the same field is still OutOfSync.
function naiveOutOfSync(desired: KubeObject, live: KubeObject): boolean {
  const pick = (obj: KubeObject, keys: string[]) => JSON.stringify(keys.map((k) => obj[k]));
  return pick(desired, ['spec', 'data', 'metadata']) !== pick(live, ['spec', 'data', 'metadata']);
}

describe('normalisation: OutOfSync before, Synced after', () => {
  it('server-populated metadata', () => {
    const desired = desiredDeployment();
    const live = liveFrom(desired);
    expect(naiveOutOfSync(desired, live)).toBe(true);
    expect(diff(desired, live).modified).toBe(false);
    expect(normalizeObject(live).metadata).not.toHaveProperty('uid');
    expect(normalizeObject(live).metadata).not.toHaveProperty('managedFields');
  });

  it('status is not compared unless asked', () => {
    const desired = { ...desiredDeployment(), status: { replicas: 5 } };
    const live = liveFrom(desiredDeployment());
    expect(diff(desired, live).modified).toBe(false);
    expect(diff(desired, live, { compareStatus: true }).modified).toBe(true);
  });

  it('Secret stringData folds into data', () => {
    const desired: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      stringData: { user: 'admin' },
    };
    const live: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      type: 'Opaque',
      data: { user: 'YWRtaW4=' },
    };
    expect(naiveOutOfSync(desired, live)).toBe(true);
    expect(diff(desired, live).modified).toBe(false);
    expect(diff({ ...desired, stringData: { user: 'root' } }, live).modified).toBe(true);
  });

  it('quantities in canonical form (1000m = 1, 0.5 = 500m, 1024Mi = 1Gi)', () => {
    const desired = desiredDeployment({ cpu: '1000m' });
    const live = liveFrom(desiredDeployment({ cpu: '1' }));
    expect(naiveOutOfSync(desired, live)).toBe(true);
    expect(diff(desired, live).modified).toBe(false);
    expect(
      diff(desiredDeployment({ cpu: '0.5' }), liveFrom(desiredDeployment({ cpu: '500m' }))).modified,
    ).toBe(false);
    expect(diff(desiredDeployment({ cpu: '2' }), live).modified).toBe(true);
  });

  it('quantities of custom resources when declared', () => {
    const cr = (size: string): KubeObject => ({
      apiVersion: 'db.example.com/v1',
      kind: 'Database',
      metadata: { name: 'db' },
      spec: { storage: { size } },
    });
    expect(diff(cr('1024Mi'), cr('1Gi')).modified).toBe(true);
    const quantityFields = [{ group: 'db.example.com', kind: 'Database', paths: ['spec.storage.size'] }];
    expect(diff(cr('1024Mi'), cr('1Gi'), { quantityFields }).modified).toBe(false);
    expect(diff(cr('2Gi'), cr('1Gi'), { quantityFields }).modified).toBe(true);
  });

  it('int-or-string ports', () => {
    const svc = (targetPort: number | string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort }] },
    });
    expect(naiveOutOfSync(svc('8080'), svc(8080))).toBe(true);
    expect(diff(svc('8080'), applyBuiltinDefaults(svc(8080))).modified).toBe(false);
    expect(diff(svc('9090'), applyBuiltinDefaults(svc(8080))).modified).toBe(true);
  });

  it('empty versus missing maps and lists', () => {
    const desired: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', annotations: {}, labels: {} },
      data: { a: '1' },
      binaryData: {},
    };
    const live: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c' },
      data: { a: '1' },
    };
    expect(naiveOutOfSync(desired, live)).toBe(true);
    expect(diff(desired, live).modified).toBe(false);
    // With last-applied (three-way) as well.
    const withLast = structuredClone(live);
    withLast.metadata.annotations = {
      'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(desired),
    };
    expect(diff(desired, withLast).modified).toBe(false);
    expect(diff({ ...desired, data: { a: '2' } }, live).modified).toBe(true);
  });

  it('API server defaults (Deployment strategy, pod spec, container, Service)', () => {
    // Three-way: last-applied lacks the defaults; live has them; desired removes a field that was
    // applied (strategy) so live falls back to the default and nothing changes.
    const desired = desiredDeployment();
    const applied = structuredClone(desired) as KubeObject & { spec: Record<string, unknown> };
    applied.spec.strategy = {
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
    };
    const live = liveFrom(applied);
    live.metadata.annotations = {
      'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(applied),
    };
    expect(naiveOutOfSync(desired, live)).toBe(true);
    const result = diff(desired, live);
    expect(result.strategy).toBe('three-way');
    expect(result.modified).toBe(false);
    // Removing an applied non-default value is a change.
    applied.spec.revisionHistoryLimit = 3;
    live.metadata.annotations = {
      'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(applied),
    };
    (live.spec as Record<string, unknown>).revisionHistoryLimit = 3;
    const changed = diff(desired, live);
    expect(changed.modified).toBe(true);
    expect(changed.changes.map((c) => c.pointer)).toEqual(['/spec/revisionHistoryLimit']);
    expect(changed.predictedLive?.spec).toMatchObject({ revisionHistoryLimit: 10 });
  });

  it('Service defaults: type, sessionAffinity, port protocol and targetPort', () => {
    const desired: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
    };
    const lastApplied = JSON.stringify({
      ...desired,
      spec: { ...(desired.spec as object), type: 'ClusterIP' },
    });
    const live = applyBuiltinDefaults(desired);
    live.metadata.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied };
    expect(live.spec).toMatchObject({
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
    });
    expect(diff(desired, live).modified).toBe(false);
  });

  it('Endpoints subsets in any order', () => {
    const ep = (subsets: unknown[]): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'e' },
      subsets,
    });
    const a = { addresses: [{ ip: '10.0.0.2' }, { ip: '10.0.0.1' }], ports: [{ port: 80 }] };
    const b = { addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80, protocol: 'TCP' }] };
    expect(diff(ep([a]), ep([b])).modified).toBe(false);
    expect(diff(ep([{ ...a, ports: [{ port: 81 }] }]), ep([b])).modified).toBe(true);
  });

  it('aggregated ClusterRole rules when asked', () => {
    const role = (rules: unknown[]): KubeObject => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'agg' },
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { agg: 'true' } }] },
      rules,
    });
    const desired = role([{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] }]);
    const live = role([{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]);
    live.metadata.annotations = {
      'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(desired),
    };
    expect(diff(desired, live).modified).toBe(true);
    expect(diff(desired, live, { ignoreAggregatedRoles: true }).modified).toBe(false);
  });
});

describe('quantities across built-in kinds', () => {
  it('HPA targets, PVC requests, StatefulSet claim templates, ResourceQuota', () => {
    const hpa = (value: string): KubeObject => ({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'h' },
      spec: {
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'memory', target: { type: 'AverageValue', averageValue: value } },
          },
        ],
      },
    });
    expect(diff(hpa('1024Mi'), hpa('1Gi')).modified).toBe(false);
    expect(diff(hpa('1025Mi'), hpa('1Gi')).modified).toBe(true);
    const pvc = (size: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'p' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } } },
    });
    expect(diff(pvc('0.5Gi'), pvc('512Mi')).modified).toBe(false);
    const sts = (size: string): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 's' },
      spec: {
        volumeClaimTemplates: [
          { metadata: { name: 'd' }, spec: { resources: { requests: { storage: size } } } },
        ],
      },
    });
    expect(diff(sts('2048Mi'), sts('2Gi')).modified).toBe(false);
    const quota = (cpu: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'q' },
      spec: { hard: { cpu } },
    });
    expect(diff(quota('2000m'), quota('2')).modified).toBe(false);
  });
});
