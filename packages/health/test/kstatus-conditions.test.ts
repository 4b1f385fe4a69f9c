import { describe, expect, it } from 'vitest';
import { computeStatus } from '../src/kstatus.js';

// Each rule reads one condition type: a condition of another type, even True or False, must not
// stand in for it. And the HorizontalPodAutoscaler rule's own answers (the comment in kstatus.ts).
type Obj = Record<string, unknown>;
const o = (apiVersion: string, kind: string, spec: Obj, status: Obj): Obj => ({
  apiVersion,
  kind,
  metadata: { name: 'x', generation: 1 },
  spec,
  status: { observedGeneration: 1, ...status },
});
const st = (obj: Obj) => {
  const r = computeStatus(obj);
  return [r.status, r.conditions[0]?.reason, r.message].filter((x) => x !== undefined).join(' ');
};

describe('a condition of another type does not count', () => {
  it('Deployment: only Available makes it available', () => {
    const status = {
      replicas: 1,
      updatedReplicas: 1,
      readyReplicas: 1,
      availableReplicas: 1,
      conditions: [
        { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
        { type: 'ReplicaFailure', status: 'True' },
      ],
    };
    expect(st(o('apps/v1', 'Deployment', { replicas: 1 }, status))).toBe(
      'InProgress DeploymentNotAvailable Deployment not Available',
    );
  });

  it('ReplicaSet: only ReplicaFailure=True fails replicas', () => {
    const status = { replicas: 1, readyReplicas: 1, availableReplicas: 1, fullyLabeledReplicas: 1 };
    expect(
      st(
        o(
          'apps/v1',
          'ReplicaSet',
          { replicas: 1 },
          { ...status, conditions: [{ type: 'Other', status: 'True' }] },
        ),
      ),
    ).toBe('Current ReplicaSet is available. Replicas: 1');
  });

  it('Pod: only Ready=True is ready; only PodScheduled=False/Unschedulable is unschedulable', () => {
    expect(
      st(o('v1', 'Pod', {}, { phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True' }] })),
    ).toBe('InProgress PodRunningNotReady Pod is running but is not Ready');
    expect(
      st(
        o(
          'v1',
          'Pod',
          {},
          { phase: 'Pending', conditions: [{ type: 'Ready', status: 'False', reason: 'Unschedulable' }] },
        ),
      ),
    ).toBe('InProgress PodPending Pod is in the Pending phase');
  });

  it('Job: only Suspended counts as suspended; Suspended=False with no suspend request moves on', () => {
    const started = { startTime: 't', active: 1 };
    expect(
      st(
        o(
          'batch/v1',
          'Job',
          { suspend: true },
          { ...started, conditions: [{ type: 'Other', status: 'True' }] },
        ),
      ),
    ).toBe('InProgress JobSuspending Job is being suspended');
    expect(
      st(o('batch/v1', 'Job', {}, { ...started, conditions: [{ type: 'Suspended', status: 'False' }] })),
    ).toBe('Current Job in progress. success:0, active: 1, failed: 0');
  });

  it('the status and its conditions must be objects, not lists', () => {
    expect(st({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {}, status: [] })).toBe(
      'Unknown status: expected an object',
    );
    expect(st({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {}, status: { conditions: [null] } })).toBe(
      'Unknown status.conditions[0]: expected an object',
    );
    expect(st({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {}, status: { conditions: [[]] } })).toBe(
      'Unknown status.conditions[0]: expected an object',
    );
    expect(
      st({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { generation: 1 },
        status: { observedGeneration: [2] },
      }),
    ).toBe('Unknown status.observedGeneration accessor error: [2] is of the type object, expected int64');
  });
});

describe('HorizontalPodAutoscaler', () => {
  const hpa = (conditions: Obj[] | undefined) =>
    o('autoscaling/v2', 'HorizontalPodAutoscaler', {}, conditions === undefined ? {} : { conditions });
  const able = { type: 'AbleToScale', status: 'True' };
  const active = { type: 'ScalingActive', status: 'True' };

  it('answers with its own messages and reasons, and the condition’s when it has them', () => {
    expect(st(hpa(undefined))).toBe('Unknown HorizontalPodAutoscaler has no conditions yet');
    expect(st(hpa([able, active]))).toBe('Current HorizontalPodAutoscaler is able to scale');
    expect(st(hpa([able, active, { type: 'ScalingLimited', status: 'False' }]))).toBe(
      'Current HorizontalPodAutoscaler is able to scale',
    );
    expect(st(hpa([able, active, { type: 'ScalingLimited', status: 'True' }]))).toBe(
      'Failed ScalingLimited Scaling is limited by the replica bounds',
    );
    expect(
      st(
        hpa([able, active, { type: 'ScalingLimited', status: 'True', reason: 'TooMany', message: 'at max' }]),
      ),
    ).toBe('Failed TooMany at max');
    expect(st(hpa([active]))).toBe('InProgress NotAbleToScale AbleToScale is not True');
    expect(st(hpa([able]))).toBe('InProgress NotScalingActive ScalingActive is not True');
    expect(
      st(hpa([able, { type: 'ScalingActive', status: 'False', reason: 'Off', message: 'no metrics' }])),
    ).toBe('InProgress Off no metrics');
    // Another condition ahead of them changes nothing.
    expect(st(hpa([{ type: 'Other', status: 'False', reason: 'O' }, able, active]))).toBe(
      'Current HorizontalPodAutoscaler is able to scale',
    );
  });
});
