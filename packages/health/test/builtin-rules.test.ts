import type { KubeObject } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { gvkString, HealthCheckFailure, quote } from '../src/builtin/check-error.js';
import { assessHealth, type HealthStatus, hasBuiltinHealthCheck } from '../src/index.js';

// Argo CD's built-in health rules (gitops-engine pkg/health, health_*.go), branch by branch: each
// expectation follows from the rule as written there, boundaries included (a count equal to the
// one awaited is done), and from how Argo CD converts an object to its typed struct first (a field
// of the wrong type is Unknown with the conversion error, a missing one is its zero value).

function obj(
  apiVersion: string,
  kind: string,
  rest: Record<string, unknown> = {},
  meta: Record<string, unknown> = {},
) {
  return { apiVersion, kind, metadata: { name: 'x', namespace: 'ns', ...meta }, ...rest } as KubeObject;
}

const healthy: HealthStatus = { status: 'Healthy', message: '' };

describe('check errors', () => {
  it('is an Error named HealthCheckFailure, with Go-style GVK and quoted strings for messages', () => {
    const err = new HealthCheckFailure('cannot assess');
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('HealthCheckFailure');
    expect(err.message).toBe('cannot assess');
    expect(gvkString('', 'v1', 'Pod')).toBe('/v1, Kind=Pod');
    expect(quote('a "b"\n')).toBe('"a \\"b\\"\\n"');
  });
});

describe('which kinds and versions have a rule', () => {
  it('knows each built-in group and kind, and no other', () => {
    for (const [group, kind] of [
      ['apps', 'Deployment'],
      ['apps', 'StatefulSet'],
      ['apps', 'ReplicaSet'],
      ['apps', 'DaemonSet'],
      ['extensions', 'Ingress'],
      ['networking.k8s.io', 'Ingress'],
      ['argoproj.io', 'Workflow'],
      ['apiregistration.k8s.io', 'APIService'],
      ['', 'Service'],
      ['', 'PersistentVolumeClaim'],
      ['', 'Pod'],
      ['batch', 'Job'],
      ['autoscaling', 'HorizontalPodAutoscaler'],
    ]) {
      expect(hasBuiltinHealthCheck(group as string, kind as string), `${group}/${kind}`).toBe(true);
    }
    for (const [group, kind] of [
      ['', 'Deployment'],
      ['extensions', 'Deployment'],
      ['batch', 'CronJob'],
      ['apps', 'Pod'],
      ['', 'ConfigMap'],
    ]) {
      expect(hasBuiltinHealthCheck(group as string, kind as string), `${group}/${kind}`).toBe(false);
    }
  });

  it('is Unknown for a version Argo CD does not convert, naming the GVK as Go prints it', () => {
    const cases: [string, string, string][] = [
      ['apps/v1beta2', 'StatefulSet', 'unsupported StatefulSet GVK: apps/v1beta2, Kind=StatefulSet'],
      ['apps/v1beta2', 'ReplicaSet', 'unsupported ReplicaSet GVK: apps/v1beta2, Kind=ReplicaSet'],
      ['apps/v1beta2', 'DaemonSet', 'unsupported DaemonSet GVK: apps/v1beta2, Kind=DaemonSet'],
      ['v2', 'Service', 'unsupported Service GVK: /v2, Kind=Service'],
      [
        'v2',
        'PersistentVolumeClaim',
        'unsupported PersistentVolumeClaim GVK: /v2, Kind=PersistentVolumeClaim',
      ],
      ['v2', 'Pod', 'unsupported Pod GVK: /v2, Kind=Pod'],
      ['batch/v1beta1', 'Job', 'unsupported Job GVK: batch/v1beta1, Kind=Job'],
      [
        'apiregistration.k8s.io/v2',
        'APIService',
        'unsupported APIService GVK: apiregistration.k8s.io/v2, Kind=APIService',
      ],
      [
        'autoscaling/v3',
        'HorizontalPodAutoscaler',
        'unsupported HPA GVK: autoscaling/v3, Kind=HorizontalPodAutoscaler',
      ],
    ];
    for (const [apiVersion, kind, message] of cases) {
      expect(assessHealth(obj(apiVersion, kind)), apiVersion).toEqual({ status: 'Unknown', message });
    }
  });

  it('converts every version Argo CD supports', () => {
    const available = {
      status: { conditions: [{ type: 'Available', status: 'True', reason: 'R', message: 'M' }] },
    };
    expect(assessHealth(obj('apiregistration.k8s.io/v1beta1', 'APIService', available))?.status).toBe(
      'Healthy',
    );
    expect(assessHealth(obj('apiregistration.k8s.io/v1', 'APIService', available))?.status).toBe('Healthy');
    for (const v of ['v1', 'v2beta1', 'v2beta2', 'v2']) {
      expect(assessHealth(obj(`autoscaling/${v}`, 'HorizontalPodAutoscaler'))).toEqual({
        status: 'Progressing',
        message: 'Waiting to Autoscale',
      });
    }
    // Ingress and Workflow are read unstructured: any version.
    expect(assessHealth(obj('networking.k8s.io/v1beta1', 'Ingress'))?.status).toBe('Progressing');
    expect(assessHealth(obj('argoproj.io/v2', 'Workflow', { status: { phase: 'Succeeded' } }))?.status).toBe(
      'Healthy',
    );
  });
});

describe('Deployment', () => {
  const dep = (spec: Record<string, unknown>, status: Record<string, unknown>, generation = 1) =>
    obj('apps/v1', 'Deployment', { spec, status }, { generation, name: 'web' });
  const done = { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2 };

  it('is done when each count reaches the one awaited, not before', () => {
    expect(assessHealth(dep({ replicas: 2 }, done))).toEqual(healthy);
    expect(assessHealth(dep({ replicas: 2 }, { ...done, observedGeneration: 2 }))).toEqual(healthy);
    expect(assessHealth(dep({ replicas: 2 }, done, 2))?.status).toBe('Progressing');
    expect(assessHealth(dep({ replicas: 2 }, { ...done, updatedReplicas: 1 }))?.message).toBe(
      'Waiting for rollout to finish: 1 out of 2 new replicas have been updated...',
    );
    expect(
      assessHealth(dep({ replicas: 1 }, { ...done, replicas: 3, updatedReplicas: 1, availableReplicas: 1 }))
        ?.message,
    ).toBe('Waiting for rollout to finish: 2 old replicas are pending termination...');
    expect(assessHealth(dep({ replicas: 2 }, { ...done, availableReplicas: 0 }))?.message).toBe(
      'Waiting for rollout to finish: 0 of 2 updated replicas are available...',
    );
  });

  it('without spec.replicas (a nil pointer) skips the updated check only', () => {
    expect(
      assessHealth(dep({}, { observedGeneration: 1, replicas: 0, updatedReplicas: 0, availableReplicas: 0 })),
    ).toEqual(healthy);
    expect(
      assessHealth(dep({}, { observedGeneration: 1, replicas: 2, updatedReplicas: 1, availableReplicas: 1 }))
        ?.message,
    ).toBe('Waiting for rollout to finish: 1 old replicas are pending termination...');
  });

  it('reads only the Progressing condition for the deadline', () => {
    const cond = (type: string, reason: string) => ({
      conditions: [{ type, status: 'False', reason }],
      ...done,
    });
    expect(assessHealth(dep({ replicas: 2 }, cond('Available', 'ProgressDeadlineExceeded')))).toEqual(
      healthy,
    );
    expect(assessHealth(dep({ replicas: 2 }, cond('Progressing', 'NewReplicaSetAvailable')))).toEqual(
      healthy,
    );
    expect(assessHealth(dep({ replicas: 2 }, cond('Progressing', 'ProgressDeadlineExceeded')))).toEqual({
      status: 'Degraded',
      message: 'Deployment "web" exceeded its progress deadline',
    });
  });

  it('is paused only when spec.paused is true', () => {
    expect(assessHealth(dep({ replicas: 2, paused: false }, done))).toEqual(healthy);
    expect(assessHealth(dep({ paused: 'yes' }, done))).toEqual({
      status: 'Unknown',
      message:
        'failed to convert unstructured Deployment to typed: field spec.paused: expected boolean, got string',
    });
  });
});

describe('StatefulSet', () => {
  const sts = (spec: Record<string, unknown>, status: Record<string, unknown>, generation = 1) =>
    obj('apps/v1', 'StatefulSet', { spec, status }, { generation });
  const observed = { observedGeneration: 1 };

  it('waits for the spec to be observed: a generation ahead, or none observed yet', () => {
    const waiting = {
      status: 'Progressing',
      message: 'Waiting for statefulset spec update to be observed...',
    };
    expect(assessHealth(sts({}, { observedGeneration: 0 }, 0))).toEqual(waiting);
    expect(assessHealth(sts({}, { observedGeneration: 1 }, 2))).toEqual(waiting);
    expect(assessHealth(sts({}, { observedGeneration: 2 }, 1))?.message).not.toBe(waiting.message);
  });

  it('waits for ready pods, then a partitioned roll out', () => {
    expect(assessHealth(sts({ replicas: 3 }, { ...observed, readyReplicas: 2 }))?.message).toBe(
      'Waiting for 1 pods to be ready...',
    );
    const partitioned = (partition: number | undefined, updated: number) =>
      assessHealth(
        sts(
          {
            replicas: 3,
            updateStrategy: {
              type: 'RollingUpdate',
              rollingUpdate: partition === undefined ? {} : { partition },
            },
          },
          { ...observed, readyReplicas: 3, updatedReplicas: updated },
        ),
      );
    expect(partitioned(1, 2)).toEqual({
      status: 'Healthy',
      message: 'partitioned roll out complete: 2 new pods have been updated...',
    });
    expect(partitioned(1, 1)).toEqual({
      status: 'Progressing',
      message: 'Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated...',
    });
    expect(partitioned(undefined, 0)).toEqual({
      status: 'Healthy',
      message: 'partitioned roll out complete: 0 new pods have been updated...',
    });
  });

  it('compares revisions for a rolling update without rollingUpdate settings, and counts OnDelete as done', () => {
    const rolling = (status: Record<string, unknown>) =>
      assessHealth(
        sts(
          { replicas: 2, updateStrategy: { type: 'RollingUpdate' } },
          { ...observed, readyReplicas: 2, ...status },
        ),
      );
    expect(rolling({ currentRevision: 'r1', updateRevision: 'r1', currentReplicas: 2 })).toEqual({
      status: 'Healthy',
      message: 'statefulset rolling update complete 2 pods at revision r1...',
    });
    expect(rolling({ currentRevision: 'r1', updateRevision: 'r2', updatedReplicas: 1 })).toEqual({
      status: 'Progressing',
      message: 'waiting for statefulset rolling update to complete 1 pods at revision r2...',
    });
    expect(
      assessHealth(sts({ updateStrategy: { type: 'OnDelete' } }, { ...observed, readyReplicas: 0 })),
    ).toEqual({
      status: 'Healthy',
      message: 'statefulset has 0 ready pods',
    });
  });

  it('reads rollingUpdate settings only for the RollingUpdate strategy', () => {
    // The partition branch needs both the type and the settings: with another type (or none)
    // the settings are ignored, and OnDelete or the revisions decide.
    const withSettings = (type: string | undefined) =>
      assessHealth(
        sts(
          {
            replicas: 2,
            updateStrategy: { ...(type === undefined ? {} : { type }), rollingUpdate: { partition: 0 } },
          },
          { ...observed, readyReplicas: 2, updatedReplicas: 0, currentRevision: 'r1', updateRevision: 'r2' },
        ),
      );
    expect(withSettings('OnDelete')).toEqual({ status: 'Healthy', message: 'statefulset has 2 ready pods' });
    expect(withSettings(undefined)).toEqual({
      status: 'Progressing',
      message: 'waiting for statefulset rolling update to complete 0 pods at revision r2...',
    });
    expect(withSettings('RollingUpdate')).toEqual({
      status: 'Progressing',
      message: 'Waiting for partitioned roll out to finish: 0 out of 2 new pods have been updated...',
    });
  });
});

describe('DaemonSet', () => {
  const ds = (spec: Record<string, unknown>, status: Record<string, unknown>, generation = 1) =>
    obj('apps/v1', 'DaemonSet', { spec, status }, { generation, name: 'agent' });

  it('waits for the generation, then updated and available pods; equal counts are done', () => {
    expect(assessHealth(ds({}, { observedGeneration: 1 }, 2))).toEqual({
      status: 'Progressing',
      message: 'Waiting for rollout to finish: observed daemon set generation less than desired generation',
    });
    const full = {
      observedGeneration: 1,
      desiredNumberScheduled: 2,
      updatedNumberScheduled: 2,
      numberAvailable: 2,
    };
    expect(assessHealth(ds({}, full))).toEqual(healthy);
    expect(assessHealth(ds({}, { ...full, observedGeneration: 3 }))).toEqual(healthy);
    expect(assessHealth(ds({}, { ...full, updatedNumberScheduled: 1 }))?.status).toBe('Progressing');
    expect(assessHealth(ds({}, { ...full, numberAvailable: 1 }))?.status).toBe('Progressing');
  });

  it('counts an OnDelete daemon set as done, saying how many pods are updated', () => {
    expect(
      assessHealth(
        ds(
          { updateStrategy: { type: 'OnDelete' } },
          { observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 1 },
        ),
      ),
    ).toEqual({ status: 'Healthy', message: 'daemon set 1 out of 3 new pods have been updated' });
  });
});

describe('ReplicaSet', () => {
  const rs = (spec: Record<string, unknown>, status: Record<string, unknown>, generation = 1) =>
    obj('apps/v1', 'ReplicaSet', { spec, status }, { generation });

  it('waits for the generation and available replicas; equal counts are done', () => {
    expect(assessHealth(rs({ replicas: 1 }, { observedGeneration: 1 }, 2))).toEqual({
      status: 'Progressing',
      message: 'Waiting for rollout to finish: observed replica set generation less than desired generation',
    });
    expect(assessHealth(rs({ replicas: 2 }, { observedGeneration: 1, availableReplicas: 1 }))).toEqual({
      status: 'Progressing',
      message: 'Waiting for rollout to finish: 1 out of 2 new replicas are available...',
    });
    expect(assessHealth(rs({ replicas: 2 }, { observedGeneration: 1, availableReplicas: 2 }))).toEqual(
      healthy,
    );
    expect(assessHealth(rs({}, { observedGeneration: 1 }))).toEqual(healthy);
  });

  it('is Degraded only for a ReplicaFailure condition that is True', () => {
    const cond = (type: string, status: string) => ({
      observedGeneration: 1,
      availableReplicas: 1,
      conditions: [{ type, status, message: 'quota' }],
    });
    expect(assessHealth(rs({ replicas: 1 }, cond('ReplicaFailure', 'False')))).toEqual(healthy);
    expect(assessHealth(rs({ replicas: 1 }, cond('Other', 'True')))).toEqual(healthy);
    expect(assessHealth(rs({ replicas: 1 }, cond('ReplicaFailure', 'True')))).toEqual({
      status: 'Degraded',
      message: 'quota',
    });
  });
});

describe('Pod', () => {
  const pod = (
    spec: Record<string, unknown>,
    status: Record<string, unknown>,
    annotations?: Record<string, string>,
  ) => obj('v1', 'Pod', { spec, status }, annotations ? { annotations } : {});
  const waiting = (name: string, reason: string, message = `${name} waits`) => ({
    name,
    state: { waiting: { reason, message } },
  });

  it('is Degraded for each waiting reason that is an error or a back-off, joining the messages', () => {
    const status = {
      phase: 'Pending',
      containerStatuses: [
        waiting('a', 'ErrImagePull'),
        waiting('b', 'ContainerCreating'),
        waiting('c', 'CreateContainerConfigError'),
        waiting('d', 'ImagePullBackOff'),
        waiting('e', ''),
      ],
    };
    expect(assessHealth(pod({ restartPolicy: 'Always' }, status))).toEqual({
      status: 'Degraded',
      message: 'a waits, c waits, d waits',
    });
    expect(
      assessHealth(
        pod(
          { restartPolicy: 'Always' },
          { phase: 'Pending', message: 'm', containerStatuses: [waiting('b', 'ContainerCreating')] },
        ),
      ),
    ).toEqual({
      status: 'Progressing',
      message: 'm',
    });
  });

  it('applies the ignore-restart-policy annotation only when it is "true" and the pod is no hook', () => {
    const backoff = { phase: 'Running', containerStatuses: [waiting('a', 'CrashLoopBackOff')] };
    const ignore = (value: string, extra: Record<string, string> = {}) => ({
      'argocd.argoproj.io/ignore-restart-policy': value,
      ...extra,
    });
    expect(assessHealth(pod({ restartPolicy: 'Never' }, backoff, ignore('true')))?.status).toBe('Degraded');
    expect(assessHealth(pod({ restartPolicy: 'Never' }, backoff, ignore('false')))?.status).toBe(
      'Progressing',
    );
    expect(
      assessHealth(pod({ restartPolicy: 'Never' }, backoff, ignore('true', { 'helm.sh/hook': 'test' })))
        ?.status,
    ).toBe('Progressing');
  });

  it('reads a Failed pod’s message first, then the first container that says why', () => {
    const failed = (status: Record<string, unknown>) =>
      assessHealth(pod({ restartPolicy: 'Never' }, { phase: 'Failed', ...status }));
    const term = (name: string, terminated: Record<string, unknown>) => ({ name, state: { terminated } });
    expect(
      failed({ message: 'evicted', containerStatuses: [term('a', { message: 'x', exitCode: 1 })] }),
    ).toEqual({
      status: 'Degraded',
      message: 'evicted',
    });
    expect(
      failed({
        initContainerStatuses: [term('i', { exitCode: 0 })],
        containerStatuses: [
          term('a', { exitCode: 0, reason: 'Completed' }),
          term('b', { message: 'disk full', exitCode: 1 }),
          term('c', { exitCode: 3 }),
        ],
      }),
    ).toEqual({ status: 'Degraded', message: 'disk full' });
    expect(failed({ containerStatuses: [term('c', { exitCode: 3, reason: 'Error' })] })).toEqual({
      status: 'Degraded',
      message: 'container "c" failed with exit code 3',
    });
    expect(
      failed({ containerStatuses: [term('a', { exitCode: 0 }), { name: 'r', state: { running: {} } }] }),
    ).toEqual({
      status: 'Degraded',
      message: '',
    });
  });

  it('is Healthy when running and Ready, whatever other conditions say', () => {
    const running = (conditions: unknown[], containerStatuses: unknown[] = []) =>
      assessHealth(
        pod({ restartPolicy: 'Always' }, { phase: 'Running', message: 'm', conditions, containerStatuses }),
      );
    expect(running([{ type: 'Ready', status: 'True' }])).toEqual({ status: 'Healthy', message: 'm' });
    expect(
      running([
        { type: 'ContainersReady', status: 'True' },
        { type: 'Ready', status: 'False' },
      ]),
    ).toEqual({
      status: 'Progressing',
      message: 'm',
    });
    const restarted = { name: 'a', state: { running: {} }, lastState: { terminated: { exitCode: 1 } } };
    expect(running([{ type: 'Ready', status: 'True' }], [restarted])).toEqual({
      status: 'Healthy',
      message: 'm',
    });
    expect(running([], [{ name: 'a', state: { running: {} }, lastState: {} }])).toEqual({
      status: 'Progressing',
      message: 'm',
    });
  });

  it('is Unknown for a running pod without restart policy and for an unknown phase', () => {
    expect(assessHealth(pod({}, { phase: 'Running', message: 'm' }))).toEqual({
      status: 'Unknown',
      message: 'm',
    });
    expect(assessHealth(pod({ restartPolicy: 'Always' }, { phase: 'Unknown', message: 'lost' }))).toEqual({
      status: 'Unknown',
      message: 'lost',
    });
    expect(assessHealth(pod({ restartPolicy: 'OnFailure' }, { phase: 'Succeeded', message: 'ok' }))).toEqual({
      status: 'Healthy',
      message: 'ok',
    });
  });

  it('reads container statuses as typed fields: null entries skipped, other types Unknown', () => {
    expect(
      assessHealth(pod({ restartPolicy: 'Always' }, { phase: 'Pending', containerStatuses: [null] }))?.status,
    ).toBe('Progressing');
    const bad = (containerStatuses: unknown[], phase = 'Pending') =>
      assessHealth(pod({ restartPolicy: 'Always' }, { phase, containerStatuses }));
    const unknown = (detail: string) => ({
      status: 'Unknown',
      message: `failed to convert unstructured Pod to typed: field ${detail}`,
    });
    expect(bad(['x'])).toEqual(unknown('status.containerStatuses[0]: expected object, got string'));
    expect(bad([null, []])).toEqual(unknown('status.containerStatuses[1]: expected object, got array'));
    expect(bad([{ name: 1 }])).toEqual(
      unknown('status.containerStatuses[0].name: expected string, got number'),
    );
    expect(bad([{ name: 'a', state: { waiting: { reason: 1 } } }])).toEqual(
      unknown('status.containerStatuses[0].state.waiting.reason: expected string, got number'),
    );
    expect(bad([{ name: 'a', state: { waiting: { message: false } } }])).toEqual(
      unknown('status.containerStatuses[0].state.waiting.message: expected string, got boolean'),
    );
    expect(bad([{ name: 'a', state: { terminated: { reason: 1 } } }])).toEqual(
      unknown('status.containerStatuses[0].state.terminated.reason: expected string, got number'),
    );
    expect(bad([{ name: 'a', state: { terminated: { message: 1 } } }])).toEqual(
      unknown('status.containerStatuses[0].state.terminated.message: expected string, got number'),
    );
    expect(bad([{ name: 'a', state: { terminated: { exitCode: 'x' } } }])).toEqual(
      unknown('status.containerStatuses[0].state.terminated.exitCode: expected integer, got string'),
    );
    expect(bad([{ name: 'a', state: 'x' }])).toEqual(
      unknown('status.containerStatuses[0].state: expected object, got string'),
    );
    expect(bad([{ name: 'a', state: { waiting: 'x' } }])).toEqual(
      unknown('status.containerStatuses[0].state.waiting: expected object, got string'),
    );
    expect(bad([{ name: 'a', state: { terminated: 'x' } }])).toEqual(
      unknown('status.containerStatuses[0].state.terminated: expected object, got string'),
    );
    expect(bad([{ name: 'a', lastState: 'x' }])).toEqual(
      unknown('status.containerStatuses[0].lastState: expected object, got string'),
    );
    expect(bad([{ name: 'a', lastState: { terminated: 'x' } }])).toEqual(
      unknown('status.containerStatuses[0].lastState.terminated: expected object, got string'),
    );
    expect(
      assessHealth(pod({ restartPolicy: 'Never' }, { phase: 'Failed', initContainerStatuses: ['x'] })),
    ).toEqual(unknown('status.initContainerStatuses[0]: expected object, got string'));
    expect(assessHealth(pod({ restartPolicy: 7 }, {}))).toEqual(
      unknown('spec.restartPolicy: expected string, got number'),
    );
    expect(assessHealth(pod({}, { phase: 7 }))).toEqual(unknown('status.phase: expected string, got number'));
    expect(assessHealth(pod({}, { message: 7 }))).toEqual(
      unknown('status.message: expected string, got number'),
    );
    expect(assessHealth(pod({ restartPolicy: 'Always' }, { phase: 'Running', conditions: 'x' }))).toEqual(
      unknown('status.conditions: expected array, got string'),
    );
  });
});

describe('Service, Ingress, PersistentVolumeClaim', () => {
  it('Service: only a LoadBalancer waits, and an empty ingress list is no address', () => {
    const svc = (spec: unknown, status?: unknown) =>
      assessHealth(obj('v1', 'Service', { spec, ...(status === undefined ? {} : { status }) }));
    expect(svc({})).toEqual(healthy);
    expect(svc({ type: 'NodePort' })).toEqual(healthy);
    expect(svc({ type: 'LoadBalancer' }, { loadBalancer: { ingress: [] } })).toEqual({
      status: 'Progressing',
      message: '',
    });
    expect(svc({ type: 'LoadBalancer' })).toEqual({ status: 'Progressing', message: '' });
    expect(svc({ type: 'LoadBalancer' }, { loadBalancer: { ingress: [{ ip: '10.0.0.1' }] } })).toEqual(
      healthy,
    );
    expect(svc({ type: 'LoadBalancer' }, { loadBalancer: { ingress: {} } })?.status).toBe('Unknown');
    expect(svc({ type: 'LoadBalancer' }, { loadBalancer: [] })?.status).toBe('Unknown');
    expect(svc({ type: 1 })?.status).toBe('Unknown');
  });

  it('Ingress: reads the address list leniently', () => {
    const ing = (status: unknown) => assessHealth(obj('networking.k8s.io/v1', 'Ingress', { status }));
    const progressing = { status: 'Progressing', message: '' };
    for (const status of [
      undefined,
      null,
      'x',
      {},
      { loadBalancer: null },
      { loadBalancer: 'x' },
      { loadBalancer: { ingress: {} } },
      { loadBalancer: { ingress: [] } },
    ]) {
      expect(ing(status), JSON.stringify(status)).toEqual(progressing);
    }
    expect(ing({ loadBalancer: { ingress: [{}] } })).toEqual(healthy);
  });

  it('PersistentVolumeClaim: every phase, with no message', () => {
    const pvc = (phase: string) => assessHealth(obj('v1', 'PersistentVolumeClaim', { status: { phase } }));
    expect(pvc('Bound')).toEqual(healthy);
    expect(pvc('Pending')).toEqual({ status: 'Progressing', message: '' });
    expect(pvc('Lost')).toEqual({ status: 'Degraded', message: '' });
    expect(pvc('Released')).toEqual({ status: 'Unknown', message: '' });
  });
});

describe('Job', () => {
  const job = (conditions: unknown[]) => assessHealth(obj('batch/v1', 'Job', { status: { conditions } }));

  it('is done once it has a Complete, Failed or Suspended condition, whatever its status', () => {
    expect(job([{ type: 'Complete', status: 'False', message: 'c' }])).toEqual({
      status: 'Healthy',
      message: 'c',
    });
    expect(job([{ type: 'Suspended', status: 'False', message: 'resumed' }])).toEqual({
      status: 'Healthy',
      message: 'resumed',
    });
    expect(job([{ type: 'Other', status: 'True', message: 'o' }])).toEqual({
      status: 'Progressing',
      message: '',
    });
  });

  it('is Degraded with the failure’s message when it failed, even if also complete', () => {
    expect(
      job([
        { type: 'Failed', status: 'True', message: 'BackoffLimitExceeded' },
        { type: 'Complete', status: 'True', message: 'c' },
      ]),
    ).toEqual({ status: 'Degraded', message: 'BackoffLimitExceeded' });
    expect(
      job([
        { type: 'Suspended', status: 'True', message: 's' },
        { type: 'Failed', status: 'True', message: 'f' },
      ]),
    ).toEqual({ status: 'Degraded', message: 'f' });
  });

  it('takes the message of the last Complete or Suspended condition', () => {
    expect(
      job([
        { type: 'Suspended', status: 'True', message: 'first' },
        { type: 'Complete', status: 'True', message: 'last' },
      ]),
    ).toEqual({ status: 'Suspended', message: 'last', aggregateAs: 'Healthy' });
  });
});

describe('APIService and Argo Workflow', () => {
  it('APIService: the first Available condition decides, other types are skipped', () => {
    const api = (conditions: unknown[]) =>
      assessHealth(obj('apiregistration.k8s.io/v1', 'APIService', { status: { conditions } }));
    expect(
      api([
        { type: 'Other', status: 'True', reason: 'O', message: 'o' },
        { type: 'Available', status: 'False', reason: 'MissingEndpoints', message: 'no endpoints' },
        { type: 'Available', status: 'True', reason: 'Passed', message: 'ok' },
      ]),
    ).toEqual({ status: 'Progressing', message: 'MissingEndpoints: no endpoints' });
    expect(api([{ type: 'Other', status: 'True' }])).toEqual({
      status: 'Progressing',
      message: 'Waiting to be processed',
    });
  });

  it('Workflow: every phase, with its message', () => {
    const wf = (phase?: string) =>
      assessHealth(
        obj('argoproj.io/v1alpha1', 'Workflow', {
          status: { ...(phase === undefined ? {} : { phase }), message: 'm' },
        }),
      );
    expect(wf()).toEqual({ status: 'Progressing', message: 'm' });
    expect(wf('Pending')).toEqual({ status: 'Progressing', message: 'm' });
    expect(wf('Failed')).toEqual({ status: 'Degraded', message: 'm' });
    expect(wf('Error')).toEqual({ status: 'Degraded', message: 'm' });
    expect(wf('Succeeded')).toEqual({ status: 'Healthy', message: 'm' });
  });
});
