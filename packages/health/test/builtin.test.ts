import type { KubeObject } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { assessHealth, hasBuiltinHealthCheck } from '../src/index.js';

function obj(
  apiVersion: string,
  kind: string,
  rest: Record<string, unknown> = {},
  meta: Record<string, unknown> = {},
) {
  return { apiVersion, kind, metadata: { name: 'x', namespace: 'ns', ...meta }, ...rest } as KubeObject;
}

describe('deletion', () => {
  it('reports an object being deleted as Progressing "Pending deletion", whatever its kind', () => {
    for (const o of [
      obj('v1', 'Pod', { status: { phase: 'Running' } }, { deletionTimestamp: '2024-01-01T00:00:00Z' }),
      obj('example.com/v1', 'Widget', {}, { deletionTimestamp: '2024-01-01T00:00:00Z' }),
    ]) {
      expect(assessHealth(o)).toEqual({ status: 'Progressing', message: 'Pending deletion' });
    }
  });

  it('assesses a hook being deleted normally (it carries the hook finalizer)', () => {
    const pod = obj(
      'v1',
      'Pod',
      { spec: { restartPolicy: 'Never' }, status: { phase: 'Succeeded' } },
      { deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['argocd.argoproj.io/hook-finalizer'] },
    );
    expect(assessHealth(pod)?.status).toBe('Healthy');
  });
});

describe('Deployment', () => {
  const dep = (spec: Record<string, unknown>, status: Record<string, unknown>, generation = 1) =>
    obj('apps/v1', 'Deployment', { spec, status }, { generation, name: 'web' });

  it('is Healthy when every replica is updated and available', () => {
    expect(
      assessHealth(
        dep(
          { replicas: 2 },
          { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2 },
        ),
      ),
    ).toEqual({ status: 'Healthy', message: '' });
  });

  it('reports each rollout step like kubectl rollout status', () => {
    expect(assessHealth(dep({ replicas: 3 }, { observedGeneration: 1, updatedReplicas: 1 }))).toEqual({
      status: 'Progressing',
      message: 'Waiting for rollout to finish: 1 out of 3 new replicas have been updated...',
    });
    expect(
      assessHealth(dep({ replicas: 2 }, { observedGeneration: 1, replicas: 3, updatedReplicas: 2 }))?.message,
    ).toBe('Waiting for rollout to finish: 1 old replicas are pending termination...');
    expect(
      assessHealth(
        dep(
          { replicas: 2 },
          { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 1 },
        ),
      )?.message,
    ).toBe('Waiting for rollout to finish: 1 of 2 updated replicas are available...');
    expect(assessHealth(dep({ replicas: 1 }, { observedGeneration: 1 }, 2))?.message).toBe(
      'Waiting for rollout to finish: observed deployment generation less than desired generation',
    );
  });

  it('is Degraded past its progress deadline and Suspended when paused', () => {
    const stuck = dep(
      { replicas: 1 },
      {
        observedGeneration: 1,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
      },
    );
    expect(assessHealth(stuck)).toEqual({
      status: 'Degraded',
      message: 'Deployment "web" exceeded its progress deadline',
    });
    expect(assessHealth(dep({ paused: true }, {}))).toEqual({
      status: 'Suspended',
      message: 'Deployment is paused',
    });
  });

  it('is Unknown for an API version Argo CD does not convert', () => {
    const old = obj('apps/v1beta1', 'Deployment', { spec: {}, status: {} });
    expect(assessHealth(old)).toEqual({
      status: 'Unknown',
      message: 'unsupported Deployment GVK: apps/v1beta1, Kind=Deployment',
    });
  });

  it('is Unknown, not an exception, when a field has the wrong type', () => {
    const bad = dep({ replicas: 'three' }, { observedGeneration: 1 });
    const h = assessHealth(bad);
    expect(h?.status).toBe('Unknown');
    expect(h?.message).toContain('spec.replicas');
  });
});

describe('StatefulSet, DaemonSet, ReplicaSet', () => {
  it('StatefulSet: waits for observation, readiness, then partition or revision', () => {
    const sts = (spec: Record<string, unknown>, status: Record<string, unknown>) =>
      obj('apps/v1', 'StatefulSet', { spec, status }, { generation: 1 });
    expect(assessHealth(sts({ replicas: 1 }, {}))?.message).toBe(
      'Waiting for statefulset spec update to be observed...',
    );
    expect(assessHealth(sts({ replicas: 3 }, { observedGeneration: 1, readyReplicas: 1 }))?.message).toBe(
      'Waiting for 2 pods to be ready...',
    );
    expect(
      assessHealth(
        sts(
          { replicas: 3, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } },
          { observedGeneration: 1, readyReplicas: 3, updatedReplicas: 1 },
        ),
      ),
    ).toEqual({
      status: 'Progressing',
      message: 'Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated...',
    });
    expect(
      assessHealth(
        sts(
          { replicas: 2 },
          {
            observedGeneration: 1,
            readyReplicas: 2,
            currentRevision: 'a',
            updateRevision: 'b',
            updatedReplicas: 1,
          },
        ),
      ),
    ).toEqual({
      status: 'Progressing',
      message: 'waiting for statefulset rolling update to complete 1 pods at revision b...',
    });
    expect(
      assessHealth(
        sts(
          { replicas: 2, updateStrategy: { type: 'OnDelete' } },
          { observedGeneration: 1, readyReplicas: 2 },
        ),
      ),
    ).toEqual({ status: 'Healthy', message: 'statefulset has 2 ready pods' });
  });

  it('DaemonSet: counts updated and available pods', () => {
    const ds = (status: Record<string, unknown>) =>
      obj(
        'apps/v1',
        'DaemonSet',
        { spec: {}, status: { observedGeneration: 1, ...status } },
        { generation: 1, name: 'agent' },
      );
    expect(assessHealth(ds({ desiredNumberScheduled: 3, updatedNumberScheduled: 1 }))?.message).toBe(
      'Waiting for daemon set "agent" rollout to finish: 1 out of 3 new pods have been updated...',
    );
    expect(
      assessHealth(ds({ desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 2 }))?.message,
    ).toBe('Waiting for daemon set "agent" rollout to finish: 2 of 3 updated pods are available...');
    expect(
      assessHealth(ds({ desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 }))?.status,
    ).toBe('Healthy');
  });

  it('ReplicaSet: a ReplicaFailure condition is Degraded with its message', () => {
    const rs = obj(
      'apps/v1',
      'ReplicaSet',
      {
        spec: { replicas: 1 },
        status: {
          observedGeneration: 1,
          conditions: [{ type: 'ReplicaFailure', status: 'True', message: 'pods "x" is forbidden: quota' }],
        },
      },
      { generation: 1 },
    );
    expect(assessHealth(rs)).toEqual({ status: 'Degraded', message: 'pods "x" is forbidden: quota' });
  });
});

describe('Pod', () => {
  const pod = (
    restartPolicy: string,
    status: Record<string, unknown>,
    annotations?: Record<string, string>,
  ) => obj('v1', 'Pod', { spec: { restartPolicy }, status }, annotations ? { annotations } : {});
  const backoff = {
    phase: 'Running',
    containerStatuses: [
      { name: 'main', state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m' } } },
    ],
  };

  it('is Degraded when a restarting container waits on an error or back-off', () => {
    expect(assessHealth(pod('Always', backoff))).toEqual({ status: 'Degraded', message: 'back-off 5m' });
  });

  it('keeps pods with a finite life Progressing while they run, as they are usually hooks', () => {
    expect(assessHealth(pod('Never', backoff))?.status).toBe('Progressing');
    expect(assessHealth(pod('OnFailure', { phase: 'Running' }))?.status).toBe('Progressing');
  });

  it('assesses a Never pod like an Always pod when annotated to ignore its restart policy, unless it is a hook', () => {
    const ready = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
    const ignore = { 'argocd.argoproj.io/ignore-restart-policy': 'true' };
    expect(assessHealth(pod('Never', ready, ignore))?.status).toBe('Healthy');
    expect(assessHealth(pod('Never', backoff, ignore))?.status).toBe('Degraded');
    expect(
      assessHealth(pod('Never', ready, { ...ignore, 'argocd.argoproj.io/hook': 'PreSync' }))?.status,
    ).toBe('Progressing');
  });

  it('reads phases: Pending → Progressing, Succeeded → Healthy, Failed → Degraded with the best message', () => {
    expect(assessHealth(pod('Always', { phase: 'Pending', message: 'scheduling' }))).toEqual({
      status: 'Progressing',
      message: 'scheduling',
    });
    expect(assessHealth(pod('Never', { phase: 'Succeeded' }))?.status).toBe('Healthy');
    expect(
      assessHealth(
        pod('Never', {
          phase: 'Failed',
          containerStatuses: [{ name: 'job', state: { terminated: { exitCode: 2 } } }],
        }),
      ),
    ).toEqual({ status: 'Degraded', message: 'container "job" failed with exit code 2' });
    expect(
      assessHealth(
        pod('Never', {
          phase: 'Failed',
          initContainerStatuses: [
            { name: 'i', state: { terminated: { reason: 'OOMKilled', exitCode: 137 } } },
          ],
        }),
      ),
    ).toEqual({ status: 'Degraded', message: 'OOMKilled' });
  });

  it('is Degraded when a running, unready pod had a container terminate', () => {
    const h = assessHealth(
      pod('Always', {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [
          { name: 'main', state: { running: {} }, lastState: { terminated: { exitCode: 1 } } },
        ],
      }),
    );
    expect(h?.status).toBe('Degraded');
  });
});

describe('other built-in kinds', () => {
  it('Service: a LoadBalancer waits for an ingress point', () => {
    expect(assessHealth(obj('v1', 'Service', { spec: { type: 'ClusterIP' } }))?.status).toBe('Healthy');
    expect(assessHealth(obj('v1', 'Service', { spec: { type: 'LoadBalancer' }, status: {} }))?.status).toBe(
      'Progressing',
    );
    expect(
      assessHealth(
        obj('v1', 'Service', {
          spec: { type: 'LoadBalancer' },
          status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } },
        }),
      )?.status,
    ).toBe('Healthy');
  });

  it('Ingress: Progressing until it has an address', () => {
    expect(
      assessHealth(obj('networking.k8s.io/v1', 'Ingress', { status: { loadBalancer: {} } }))?.status,
    ).toBe('Progressing');
    expect(
      assessHealth(
        obj('extensions/v1beta1', 'Ingress', { status: { loadBalancer: { ingress: [{ hostname: 'lb' }] } } }),
      )?.status,
    ).toBe('Healthy');
  });

  it('PersistentVolumeClaim: phase decides', () => {
    const pvc = (phase?: string) => obj('v1', 'PersistentVolumeClaim', { status: phase ? { phase } : {} });
    expect(assessHealth(pvc('Bound'))?.status).toBe('Healthy');
    expect(assessHealth(pvc('Pending'))?.status).toBe('Progressing');
    expect(assessHealth(pvc('Lost'))?.status).toBe('Degraded');
    expect(assessHealth(pvc())?.status).toBe('Unknown');
  });

  it('Job: Complete, Failed, Suspended (aggregated as Healthy), else Progressing', () => {
    const job = (conditions: unknown[]) => obj('batch/v1', 'Job', { status: { conditions } });
    expect(assessHealth(job([]))?.status).toBe('Progressing');
    expect(assessHealth(job([{ type: 'Complete', status: 'True', message: 'done' }]))).toEqual({
      status: 'Healthy',
      message: 'done',
    });
    expect(assessHealth(job([{ type: 'Failed', status: 'True', message: 'BackoffLimitExceeded' }]))).toEqual({
      status: 'Degraded',
      message: 'BackoffLimitExceeded',
    });
    expect(assessHealth(job([{ type: 'Suspended', status: 'True', message: 'Job suspended' }]))).toEqual({
      status: 'Suspended',
      message: 'Job suspended',
      aggregateAs: 'Healthy',
    });
  });

  it('APIService: the Available condition decides, with "reason: message"', () => {
    const api = (conditions: unknown[]) =>
      obj('apiregistration.k8s.io/v1', 'APIService', { status: { conditions } });
    expect(
      assessHealth(
        api([{ type: 'Available', status: 'True', reason: 'Passed', message: 'all checks passed' }]),
      ),
    ).toEqual({
      status: 'Healthy',
      message: 'Passed: all checks passed',
    });
    expect(assessHealth(api([]))).toEqual({ status: 'Progressing', message: 'Waiting to be processed' });
  });

  it('HorizontalPodAutoscaler: v1 annotation and v2 conditions; a failing metric wins over AbleToScale', () => {
    const conditions = [
      { type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale', message: 'ok' },
      { type: 'ScalingActive', status: 'False', reason: 'FailedGetExternalMetric', message: 'no metric' },
    ];
    const v1 = obj(
      'autoscaling/v1',
      'HorizontalPodAutoscaler',
      {},
      {
        annotations: { 'autoscaling.alpha.kubernetes.io/conditions': JSON.stringify(conditions) },
      },
    );
    expect(assessHealth(v1)).toEqual({ status: 'Degraded', message: 'no metric' });
    const v2 = obj('autoscaling/v2', 'HorizontalPodAutoscaler', { status: { conditions: [conditions[0]] } });
    expect(assessHealth(v2)).toEqual({ status: 'Healthy', message: 'ok' });
    expect(assessHealth(obj('autoscaling/v1', 'HorizontalPodAutoscaler'))).toEqual({
      status: 'Progressing',
      message: 'Waiting to Autoscale',
    });
    const broken = obj(
      'autoscaling/v1',
      'HorizontalPodAutoscaler',
      {},
      {
        annotations: { 'autoscaling.alpha.kubernetes.io/conditions': '{not json' },
      },
    );
    expect(assessHealth(broken)?.status).toBe('Unknown');
  });

  it('Argo Workflow: phase decides for any version', () => {
    const wf = (phase: string) =>
      obj('argoproj.io/v1alpha1', 'Workflow', { status: { phase, message: 'm' } });
    expect(assessHealth(wf('Running'))).toEqual({ status: 'Progressing', message: 'm' });
    expect(assessHealth(wf('Succeeded'))?.status).toBe('Healthy');
    expect(assessHealth(wf('Error'))?.status).toBe('Degraded');
    expect(assessHealth(wf('Weird'))?.status).toBe('Unknown');
  });

  it('returns undefined when no check applies', () => {
    expect(assessHealth(obj('v1', 'ConfigMap'))).toBeUndefined();
    expect(
      assessHealth(
        obj('argoproj.io/v1alpha1', 'Application', { status: { health: { status: 'Degraded' } } }),
      ),
    ).toBeUndefined();
    expect(hasBuiltinHealthCheck('apps', 'Deployment')).toBe(true);
    expect(hasBuiltinHealthCheck('', 'ConfigMap')).toBe(false);
  });
});
