import { describe, expect, it } from 'vitest';
import { computeStatus } from '../src/kstatus.js';

// The messages kstatus gives, as cli-utils pkg/kstatus/status writes them (core.go, generic.go, util.go):
// Flux and kpt print them, so a changed word is a visible change. The Reconciling/Stalled condition
// carries the same message and the reason.
type Obj = Record<string, unknown>;
const NOW = Date.parse('2026-06-01T12:00:00Z');
const o = (apiVersion: string, kind: string, spec: Obj, status: Obj, metadata: Obj = {}): Obj => ({
  apiVersion,
  kind,
  metadata: { name: 'x', generation: 1, ...metadata },
  spec,
  status: { observedGeneration: 1, ...status },
});

function says(obj: unknown, status: string, message: string, reason?: string): void {
  const r = computeStatus(obj, { now: NOW });
  expect({ status: r.status, message: r.message }).toEqual({ status, message });
  if (status === 'InProgress' || status === 'Failed') {
    expect(r.conditions).toEqual([
      {
        type: status === 'Failed' ? 'Stalled' : 'Reconciling',
        status: 'True',
        reason: reason ?? expect.any(String),
        message: expect.any(String),
      },
    ]);
    if (reason !== undefined) expect(r.conditions[0]?.reason).toBe(reason);
  } else {
    expect(r.conditions).toEqual([]);
  }
}

describe('kstatus messages', () => {
  it('generic', () => {
    says(null, 'NotFound', 'Resource not found');
    says(undefined, 'NotFound', 'Resource not found');
    says('x', 'Unknown', 'not a Kubernetes object');
    says([], 'Unknown', 'not a Kubernetes object');
    says(
      o('v1', 'ConfigMap', {}, {}, { deletionTimestamp: 'now' }),
      'Terminating',
      'Resource scheduled for deletion',
    );
    says(o('v1', 'ConfigMap', {}, {}, { deletionTimestamp: '' }), 'Current', 'Resource is always ready');
    says(o('example.com/v1', 'W', {}, {}), 'Current', 'Resource is current');
    says(
      o('example.com/v1', 'W', {}, { conditions: [{ type: 'Ready', status: 'False' }] }),
      'InProgress',
      'Resource is not Ready',
      'NotReady',
    );
    says(
      o(
        'example.com/v1',
        'W',
        {},
        { conditions: [{ type: 'Ready', status: 'False', reason: 'R', message: 'M' }] },
      ),
      'InProgress',
      'M',
      'R',
    );
    says(
      o(
        'example.com/v1',
        'W',
        {},
        { conditions: [{ type: 'Reconciling', status: 'True', reason: 'R', message: 'M' }] },
      ),
      'InProgress',
      'M',
      'R',
    );
    says(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generation: 3 }, status: { observedGeneration: 2 } },
      'InProgress',
      'ConfigMap generation is 3, but latest observed generation is 2',
      'LatestGenerationNotObserved',
    );
    says(
      { metadata: { generation: 3 }, status: { observedGeneration: 2 } },
      'InProgress',
      ' generation is 3, but latest observed generation is 2',
    );
  });

  it('StatefulSet', () => {
    const sts = (spec: Obj, status: Obj) => o('apps/v1', 'StatefulSet', { replicas: 2, ...spec }, status);
    const all = { replicas: 2, readyReplicas: 2, currentReplicas: 2, updatedReplicas: 2 };
    says(
      sts({ updateStrategy: { type: 'OnDelete' } }, {}),
      'Current',
      'StatefulSet is using the ondelete update strategy',
    );
    says(sts({}, { ...all, replicas: 1 }), 'InProgress', 'Replicas: 1/2', 'LessReplicas');
    says(sts({}, { ...all, readyReplicas: 1 }), 'InProgress', 'Ready: 1/2', 'LessReady');
    says(sts({}, { ...all, replicas: 5 }), 'InProgress', 'Pending termination: 3', 'ExtraPods');
    const part = { updateStrategy: { rollingUpdate: { partition: 1 } } };
    says(sts(part, { ...all, updatedReplicas: 0 }), 'InProgress', 'updated: 0/1', 'PartitionRollout');
    says(sts(part, { ...all, updatedReplicas: 1 }), 'Current', 'Partition rollout complete. updated: 1');
    says(sts({}, { ...all, currentReplicas: 1 }), 'InProgress', 'current: 1/2', 'LessCurrent');
    says(
      sts({}, { ...all, currentRevision: 'a', updateRevision: 'b' }),
      'InProgress',
      'Waiting for updated revision to match current',
      'RevisionMismatch',
    );
    says(
      sts({}, { ...all, currentRevision: 'a' }),
      'InProgress',
      'Waiting for updated revision to match current',
    );
    says(sts({}, all), 'Current', 'All replicas scheduled as expected. Replicas: 2');
  });

  it('Deployment', () => {
    const ok = [
      { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
      { type: 'Available', status: 'True' },
    ];
    const all = { replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2, conditions: ok };
    const d = (status: Obj) =>
      o('apps/v1', 'Deployment', { replicas: 2, progressDeadlineSeconds: 60 }, status);
    says(d({ ...all, replicas: 1 }), 'InProgress', 'Replicas: 1/2', 'LessReplicas');
    says(d({ ...all, updatedReplicas: 1 }), 'InProgress', 'Updated: 1/2', 'LessUpdated');
    says(d({ ...all, replicas: 3 }), 'InProgress', 'Pending termination: 1', 'ExtraPods');
    says(d({ ...all, availableReplicas: 1 }), 'InProgress', 'Available: 1/2', 'LessAvailable');
    says(d({ ...all, readyReplicas: 1 }), 'InProgress', 'Ready: 1/2', 'LessReady');
    says(
      d({ ...all, conditions: [ok[1]] }),
      'InProgress',
      'ReplicaSet not Available',
      'ReplicaSetNotAvailable',
    );
    says(
      d({ ...all, conditions: [ok[0]] }),
      'InProgress',
      'Deployment not Available',
      'DeploymentNotAvailable',
    );
    says(d(all), 'Current', 'Deployment is available. Replicas: 2');
    const exceeded = computeStatus(
      d({
        ...all,
        conditions: [
          { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'too slow' },
        ],
      }),
    );
    expect(exceeded).toEqual({
      status: 'Failed',
      message: 'Progress deadline exceeded',
      conditions: [
        { type: 'Stalled', status: 'True', reason: 'ProgressDeadlineExceeded', message: 'too slow' },
      ],
    });
  });

  it('ReplicaSet', () => {
    const all = { replicas: 2, readyReplicas: 2, availableReplicas: 2, fullyLabeledReplicas: 2 };
    const rs = (status: Obj) => o('apps/v1', 'ReplicaSet', { replicas: 2 }, status);
    says(
      rs({ ...all, conditions: [{ type: 'ReplicaFailure', status: 'True' }] }),
      'InProgress',
      'Replica Failure condition. Check Pods',
      'ReplicaFailure',
    );
    says(rs({ ...all, fullyLabeledReplicas: 1 }), 'InProgress', 'Labelled: 1/2', 'LessLabelled');
    says(rs({ ...all, availableReplicas: 1 }), 'InProgress', 'Available: 1/2', 'LessAvailable');
    says(rs({ ...all, readyReplicas: 1 }), 'InProgress', 'Ready: 1/2', 'LessReady');
    says(rs({ ...all, replicas: 4 }), 'InProgress', 'Pending termination: 2', 'ExtraPods');
    says(rs(all), 'Current', 'ReplicaSet is available. Replicas: 2');
  });

  it('DaemonSet', () => {
    const all = {
      desiredNumberScheduled: 2,
      currentNumberScheduled: 2,
      updatedNumberScheduled: 2,
      numberAvailable: 2,
      numberReady: 2,
    };
    const ds = (status: Obj, metadata: Obj = {}) => o('apps/v1', 'DaemonSet', {}, status, metadata);
    says(
      { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: {}, status: all },
      'InProgress',
      'DaemonSet metadata.generation not found',
      'NoGeneration',
    );
    says(
      { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { generation: 1 }, status: all },
      'InProgress',
      'DaemonSet status.observedGeneration not found',
      'NoObservedGeneration',
    );
    says(
      ds({ ...all, desiredNumberScheduled: undefined }),
      'InProgress',
      'Missing .status.desiredNumberScheduled',
      'NoDesiredNumber',
    );
    says(ds({ ...all, currentNumberScheduled: 1 }), 'InProgress', 'Current: 1/2', 'LessCurrent');
    says(ds({ ...all, updatedNumberScheduled: 1 }), 'InProgress', 'Updated: 1/2', 'LessUpdated');
    says(ds({ ...all, numberAvailable: 1 }), 'InProgress', 'Available: 1/2', 'LessAvailable');
    says(ds({ ...all, numberReady: 1 }), 'InProgress', 'Ready: 1/2', 'LessReady');
    says(ds(all), 'Current', 'All replicas scheduled as expected. Replicas: 2');
  });

  it('PersistentVolumeClaim, Service, CustomResourceDefinition, PodDisruptionBudget', () => {
    says(
      o('v1', 'PersistentVolumeClaim', {}, { phase: 'Pending' }),
      'InProgress',
      'PVC is not Bound. phase: Pending',
      'NotBound',
    );
    says(o('v1', 'PersistentVolumeClaim', {}, {}), 'InProgress', 'PVC is not Bound. phase: unknown');
    says(o('v1', 'PersistentVolumeClaim', {}, { phase: 'Bound' }), 'Current', 'PVC is Bound');
    says(
      o('v1', 'Service', { type: 'LoadBalancer' }, {}),
      'InProgress',
      'ClusterIP not set. Service type: LoadBalancer',
      'NoIPAssigned',
    );
    says(o('v1', 'Service', {}, {}), 'Current', 'Service is ready');
    const crd = (conditions: Obj[]) =>
      o('apiextensions.k8s.io/v1', 'CustomResourceDefinition', {}, { conditions });
    says(crd([]), 'InProgress', 'Install in progress', 'Installing');
    says(crd([{ type: 'Established', status: 'True' }]), 'Current', 'CRD is established');
    says(crd([{ type: 'Established', status: 'False', reason: 'R', message: 'M' }]), 'Failed', 'M', 'R');
    says(
      crd([{ type: 'NamesAccepted', status: 'False', reason: 'N', message: 'taken' }]),
      'Failed',
      'taken',
      'N',
    );
    says(o('policy/v1', 'PodDisruptionBudget', {}, {}), 'Current', 'AllowedDisruptions has been computed.');
    says(o('batch/v1', 'CronJob', {}, {}), 'Current', 'Resource is always ready');
    says(o('v1', 'Secret', {}, {}), 'Current', 'Resource is always ready');
  });

  it('Pod', () => {
    const pod = (status: Obj, metadata: Obj = {}) => o('v1', 'Pod', {}, status, metadata);
    says(pod({ phase: 'Succeeded' }), 'Current', 'Pod has completed successfully');
    says(pod({ phase: 'Failed' }), 'Current', 'Pod has completed, but not successfully');
    says(
      pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] }),
      'Current',
      'Pod is Ready',
    );
    says(pod({ phase: 'Running' }), 'InProgress', 'Pod is running but is not Ready', 'PodRunningNotReady');
    says(
      pod({
        phase: 'Running',
        containerStatuses: [
          { name: 'c', state: { waiting: { reason: 'CrashLoopBackOff' } } },
          { state: { waiting: { reason: 'CrashLoopBackOff' } } },
          'x',
        ],
      }),
      'Failed',
      'Containers in CrashLoop state: c',
      'ContainerCrashLooping',
    );
    says(
      pod({ phase: 'Running', containerStatuses: 'odd' }),
      'InProgress',
      'Pod is running but is not Ready',
    );
    const unschedulable = {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }],
    };
    says(
      pod(unschedulable, { creationTimestamp: '2026-06-01T11:59:59Z' }),
      'InProgress',
      'Pod has not been scheduled',
      'PodNotScheduled',
    );
    says(
      pod(unschedulable, { creationTimestamp: '2026-06-01T11:00:00Z' }),
      'Failed',
      'Pod could not be scheduled',
      'PodUnschedulable',
    );
    says(pod(unschedulable), 'Failed', 'Pod could not be scheduled');
    says(pod({ phase: 'Pending' }), 'InProgress', 'Pod is in the Pending phase', 'PodPending');
    says(pod({}), 'InProgress', 'Pod phase not available', 'PodNotObserved');
    says(pod({ phase: 'Sleeping' }), 'Unknown', 'unknown phase Sleeping');
  });

  it('Job', () => {
    const job = (spec: Obj, status: Obj) => o('batch/v1', 'Job', spec, status);
    says(
      job({ completions: 3 }, { succeeded: 3, conditions: [{ type: 'Complete', status: 'True' }] }),
      'Current',
      'Job Completed. succeeded: 3/3',
    );
    says(
      job({ parallelism: 2 }, { failed: 1, conditions: [{ type: 'Failed', status: 'True' }] }),
      'Failed',
      'Job Failed. failed: 1/2',
      'JobFailed',
    );
    says(job({}, {}), 'InProgress', 'Job not started', 'JobNotStarted');
    says(
      job({}, { startTime: 't', succeeded: 1, active: 2, failed: 3 }),
      'Current',
      'Job in progress. success:1, active: 2, failed: 3',
    );
    says(
      job({ suspend: true }, { conditions: [{ type: 'Suspended', status: 'True' }] }),
      'Current',
      'Job is suspended',
    );
    says(
      job({}, { conditions: [{ type: 'Suspended', status: 'True' }] }),
      'InProgress',
      'Job is being resumed',
      'JobResuming',
    );
    says(job({ suspend: true }, {}), 'InProgress', 'Job is being suspended', 'JobSuspending');
  });

  it('strictly read fields of the wrong type are Unknown, with what was wrong', () => {
    const cm = (metadata: Obj, status: unknown) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata,
      status,
    });
    expect(computeStatus(cm({ generation: '1' }, {}))).toEqual({
      status: 'Unknown',
      message: 'metadata.generation accessor error: "1" is of the type string, expected int64',
      conditions: [],
    });
    expect(computeStatus(cm({ generation: 1.5 }, {})).status).toBe('Unknown');
    expect(computeStatus(cm({ generation: 1 }, { observedGeneration: '1' })).message).toBe(
      'status.observedGeneration accessor error: "1" is of the type string, expected int64',
    );
    expect(computeStatus(cm({ generation: null }, { observedGeneration: 5 })).status).toBe('Current');
    expect(computeStatus(cm({ generation: 1 }, { observedGeneration: null })).status).toBe('Current');
    expect(computeStatus(cm({ deletionTimestamp: 5 }, {})).message).toBe(
      'metadata.deletionTimestamp: expected a string',
    );
    expect(computeStatus(cm({}, 'x')).message).toBe('status: expected an object');
    expect(computeStatus(cm({}, { conditions: {} })).message).toBe('status.conditions: expected a list');
    expect(computeStatus(cm({}, { conditions: [1] })).message).toBe(
      'status.conditions[0]: expected an object',
    );
    expect(computeStatus(cm({}, { conditions: [{ type: 'Ready' }, { type: 5 }] })).message).toBe(
      'status.conditions[1].type: expected a string',
    );
    expect(computeStatus(cm({}, { conditions: [{ type: null, status: 'True' }] })).status).toBe('Current');
    expect(computeStatus(cm({}, null)).status).toBe('Current');
    expect(computeStatus(cm({}, { conditions: null })).status).toBe('Current');
  });
});
