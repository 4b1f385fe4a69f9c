import { describe, expect, it } from 'vitest';
import { computeStatus } from '../src/index.js';

const o = (
  apiVersion: string,
  kind: string,
  rest: Record<string, unknown> = {},
  meta: Record<string, unknown> = {},
) => ({
  apiVersion,
  kind,
  metadata: { name: 'x', namespace: 'ns', ...meta },
  ...rest,
});

describe('computeStatus (kstatus)', () => {
  it('is NotFound for an object the cluster does not have', () => {
    expect(computeStatus(undefined)).toEqual({
      status: 'NotFound',
      message: 'Resource not found',
      conditions: [],
    });
  });

  it('applies the generic rules first: deletion, generation, Reconciling, Stalled', () => {
    expect(
      computeStatus(o('apps/v1', 'Deployment', {}, { deletionTimestamp: '2024-01-01T00:00:00Z' })).status,
    ).toBe('Terminating');
    const lagging = computeStatus(
      o('x.io/v1', 'Thing', { status: { observedGeneration: 1 } }, { generation: 2 }),
    );
    expect(lagging).toEqual({
      status: 'InProgress',
      message: 'Thing generation is 2, but latest observed generation is 1',
      conditions: [
        {
          type: 'Reconciling',
          status: 'True',
          reason: 'LatestGenerationNotObserved',
          message: 'Thing generation is 2, but latest observed generation is 1',
        },
      ],
    });
    const stalled = computeStatus(
      o('x.io/v1', 'Thing', {
        status: { conditions: [{ type: 'Stalled', status: 'True', reason: 'Boom', message: 'no' }] },
      }),
    );
    expect(stalled.status).toBe('Failed');
    expect(stalled.conditions[0]).toMatchObject({ type: 'Stalled', reason: 'Boom' });
  });

  it('Deployment: counts replicas, then needs Progressing and Available conditions', () => {
    const status = {
      observedGeneration: 1,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    };
    const dep = (extra: Record<string, unknown>, spec: Record<string, unknown> = { replicas: 2 }) =>
      computeStatus(o('apps/v1', 'Deployment', { spec, status: { ...status, ...extra } }, { generation: 1 }));
    expect(dep({ availableReplicas: 1 })).toMatchObject({ status: 'InProgress', message: 'Available: 1/2' });
    expect(dep({}).status).toBe('InProgress');
    expect(dep({}, { replicas: 2, progressDeadlineSeconds: 600 }).message).toBe('ReplicaSet not Available');
    expect(
      dep({
        conditions: [
          { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
          { type: 'Available', status: 'True' },
        ],
      }),
    ).toEqual({ status: 'Current', message: 'Deployment is available. Replicas: 2', conditions: [] });
    expect(
      dep({ conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] })
        .status,
    ).toBe('Failed');
  });

  it('Pod: crash looping is Failed; an unschedulable pod fails after the scheduling window', () => {
    const looping = o('v1', 'Pod', {
      status: {
        phase: 'Running',
        containerStatuses: [{ name: 'a', state: { waiting: { reason: 'CrashLoopBackOff' } } }],
      },
    });
    expect(computeStatus(looping)).toMatchObject({
      status: 'Failed',
      message: 'Containers in CrashLoop state: a',
    });
    const pending = o(
      'v1',
      'Pod',
      {
        status: {
          phase: 'Pending',
          conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }],
        },
      },
      { creationTimestamp: '2024-01-01T00:00:00Z' },
    );
    const created = Date.parse('2024-01-01T00:00:00Z');
    expect(computeStatus(pending, { now: created + 5_000 }).status).toBe('InProgress');
    expect(computeStatus(pending, { now: created + 60_000 }).status).toBe('Failed');
  });

  it('Job: suspended only when spec and condition agree; in transition it is InProgress', () => {
    const job = (suspend: boolean, cond: string) =>
      computeStatus(
        o(
          'batch/v1',
          'Job',
          { spec: { suspend }, status: { conditions: [{ type: 'Suspended', status: cond }] } },
          { generation: 1 },
        ),
      );
    expect(job(true, 'True').status).toBe('Current');
    expect(job(true, 'False').status).toBe('InProgress');
    expect(job(false, 'True').status).toBe('InProgress');
    expect(job(false, 'False').status).toBe('InProgress');
  });

  it('HorizontalPodAutoscaler: Unknown without conditions, Failed when limited, Current when able and active', () => {
    const hpa = (conditions?: unknown[]) =>
      computeStatus(
        o('autoscaling/v2', 'HorizontalPodAutoscaler', conditions ? { status: { conditions } } : {}, {
          generation: 1,
        }),
      );
    expect(hpa().status).toBe('Unknown');
    const ok = [
      { type: 'AbleToScale', status: 'True' },
      { type: 'ScalingActive', status: 'True' },
    ];
    expect(hpa(ok).status).toBe('Current');
    expect(hpa([...ok, { type: 'ScalingLimited', status: 'True', reason: 'TooManyReplicas' }]).status).toBe(
      'Failed',
    );
    expect(
      hpa([
        { type: 'AbleToScale', status: 'True' },
        { type: 'ScalingActive', status: 'False', reason: 'FailedGetResourceMetric' },
      ]).status,
    ).toBe('InProgress');
  });

  it('custom resources: Ready=False is InProgress with its reason; otherwise Current', () => {
    const notReady = computeStatus(
      o('x.io/v1', 'Thing', {
        status: { conditions: [{ type: 'Ready', status: 'False', reason: 'Waiting' }] },
      }),
    );
    expect(notReady.status).toBe('InProgress');
    expect(notReady.conditions[0]?.reason).toBe('Waiting');
    expect(computeStatus(o('x.io/v1', 'Thing')).status).toBe('Current');
  });

  it('is Unknown, not an exception, for strictly-read fields of the wrong type', () => {
    expect(computeStatus(o('x.io/v1', 'Thing', {}, { generation: 'two' })).status).toBe('Unknown');
    expect(computeStatus(o('x.io/v1', 'Thing', { status: { conditions: 'nope' } })).status).toBe('Unknown');
    expect(computeStatus(o('v1', 'Pod', { status: { phase: 'Exploded' } }))).toMatchObject({
      status: 'Unknown',
    });
  });
});
