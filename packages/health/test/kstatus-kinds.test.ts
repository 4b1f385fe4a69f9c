import { describe, expect, it } from 'vitest';
import { computeStatus, POD_SCHEDULE_WINDOW_MS } from '../src/kstatus.js';

// kstatus for every built-in kind, one rule at a time. The expectations come from the rules of
// sigs.k8s.io/cli-utils pkg/kstatus/status (core.go, generic.go): each kind has an object that is
// Current, and each case breaks one rule of it, at the boundary where the rule starts to hold.

type Obj = Record<string, unknown>;
const NOW = Date.parse('2026-06-01T12:00:00Z');

/** The status and, when kstatus sets one, the reason of the Reconciling/Stalled condition. */
function outcome(obj: unknown): string {
  const r = computeStatus(obj, { now: NOW });
  const c = r.conditions[0];
  if (r.status === 'Current' || r.status === 'Terminating' || r.status === 'NotFound') {
    expect(r.conditions).toEqual([]);
  } else if (c !== undefined) {
    expect(c.type).toBe(r.status === 'Failed' ? 'Stalled' : 'Reconciling');
    expect(c.status).toBe('True');
    return `${r.status} ${c.reason}`;
  }
  return r.status;
}

const obj = (apiVersion: string, kind: string, spec: Obj, status: Obj, metadata: Obj = {}): Obj => ({
  apiVersion,
  kind,
  metadata: { name: 'x', namespace: 'default', generation: 2, ...metadata },
  spec,
  status: { observedGeneration: 2, ...status },
});

/** Returns a copy of `o` with `path` (dotted) set to `value`, or removed when `value` is undefined. */
function withField(o: Obj, path: string, value: unknown): Obj {
  const copy = structuredClone(o);
  const keys = path.split('.');
  let cur = copy as Obj;
  for (const k of keys.slice(0, -1)) {
    if (typeof cur[k] !== 'object' || cur[k] === null) cur[k] = {};
    cur = cur[k] as Obj;
  }
  const last = keys[keys.length - 1] as string;
  if (value === undefined) delete cur[last];
  else cur[last] = value;
  return copy;
}

function cases(base: Obj, table: [path: string, value: unknown, expected: string][]): void {
  expect(outcome(base)).toBe('Current');
  for (const [path, value, expected] of table) {
    expect(outcome(withField(base, path, value)), `${path} = ${JSON.stringify(value)}`).toBe(expected);
  }
}

describe('kstatus generic rules, before any kind', () => {
  const cm = obj('v1', 'ConfigMap', {}, {});
  it('a deletion timestamp is Terminating', () => {
    expect(outcome(withField(cm, 'metadata.deletionTimestamp', '2026-06-01T00:00:00Z'))).toBe('Terminating');
    expect(outcome(withField(cm, 'metadata.deletionTimestamp', null))).toBe('Current');
  });
  it('an observed generation other than the generation, older or newer, is InProgress', () => {
    expect(outcome(withField(cm, 'status.observedGeneration', 1))).toBe(
      'InProgress LatestGenerationNotObserved',
    );
    expect(outcome(withField(cm, 'status.observedGeneration', 3))).toBe(
      'InProgress LatestGenerationNotObserved',
    );
    expect(outcome(withField(cm, 'status.observedGeneration', undefined))).toBe('Current');
    expect(outcome(withField(cm, 'metadata.generation', undefined))).toBe('Current');
    expect(computeStatus(withField(cm, 'status.observedGeneration', 1)).message).toBe(
      'ConfigMap generation is 2, but latest observed generation is 1',
    );
  });
  it('Reconciling=True is InProgress and Stalled=True is Failed, with the condition reason', () => {
    const conds = (type: string, status: string) => [{ type, status, reason: 'Why', message: 'because' }];
    const custom = obj('example.com/v1', 'Widget', {}, {});
    expect(outcome(withField(custom, 'status.conditions', conds('Reconciling', 'True')))).toBe(
      'InProgress Why',
    );
    expect(outcome(withField(custom, 'status.conditions', conds('Stalled', 'True')))).toBe('Failed Why');
    expect(outcome(withField(custom, 'status.conditions', conds('Reconciling', 'False')))).toBe('Current');
    expect(outcome(withField(custom, 'status.conditions', conds('Stalled', 'False')))).toBe('Current');
    expect(computeStatus(withField(custom, 'status.conditions', conds('Stalled', 'True'))).message).toBe(
      'because',
    );
  });
});

describe('kstatus per built-in kind', () => {
  it('StatefulSet', () => {
    const sts = obj(
      'apps/v1',
      'StatefulSet',
      { replicas: 3 },
      {
        replicas: 3,
        readyReplicas: 3,
        currentReplicas: 3,
        updatedReplicas: 3,
        currentRevision: 'r1',
        updateRevision: 'r1',
      },
    );
    cases(sts, [
      ['status.replicas', 2, 'InProgress LessReplicas'],
      ['status.readyReplicas', 2, 'InProgress LessReady'],
      ['status.replicas', 4, 'InProgress ExtraPods'],
      ['status.currentReplicas', 2, 'InProgress LessCurrent'],
      ['status.updateRevision', 'r2', 'InProgress RevisionMismatch'],
      ['spec.updateStrategy', { type: 'OnDelete' }, 'Current'],
      // spec.replicas defaults to 1.
      ['spec.replicas', undefined, 'InProgress ExtraPods'],
    ]);
    // OnDelete: the user rolls pods; whatever the counts, it is Current.
    expect(
      outcome(withField(withField(sts, 'spec.updateStrategy.type', 'OnDelete'), 'status.readyReplicas', 0)),
    ).toBe('Current');
    // A partition: only the pods above it must be updated, and current replicas no longer count.
    const partitioned = withField(
      withField(sts, 'spec.updateStrategy.rollingUpdate.partition', 1),
      'status.currentReplicas',
      0,
    );
    expect(outcome(withField(partitioned, 'status.updatedReplicas', 2))).toBe('Current');
    expect(outcome(withField(partitioned, 'status.updatedReplicas', 1))).toBe('InProgress PartitionRollout');
    expect(
      outcome(withField(withField(partitioned, 'status.updatedReplicas', 1), 'status.readyReplicas', 2)),
    ).toBe('InProgress LessReady');
    expect(outcome(withField(partitioned, 'spec.updateStrategy.rollingUpdate.partition', 0))).toBe('Current');
    expect(
      outcome(
        withField(
          withField(partitioned, 'spec.updateStrategy.rollingUpdate.partition', 0),
          'status.updatedReplicas',
          2,
        ),
      ),
    ).toBe('InProgress PartitionRollout');
    expect(computeStatus(withField(sts, 'status.readyReplicas', 1)).message).toBe('Ready: 1/3');
  });

  it('Deployment (apps and extensions)', () => {
    const conditions = [
      { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
      { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
    ];
    for (const apiVersion of ['apps/v1', 'extensions/v1beta1']) {
      const d = obj(
        apiVersion,
        'Deployment',
        { replicas: 3, progressDeadlineSeconds: 600 },
        { replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, conditions },
      );
      cases(d, [
        ['status.replicas', 2, 'InProgress LessReplicas'],
        ['status.updatedReplicas', 2, 'InProgress LessUpdated'],
        ['status.replicas', 4, 'InProgress ExtraPods'],
        ['status.availableReplicas', 2, 'InProgress LessAvailable'],
        ['status.readyReplicas', 2, 'InProgress LessReady'],
        ['status.conditions', [conditions[1]], 'InProgress ReplicaSetNotAvailable'],
        [
          'status.conditions',
          [{ ...conditions[0], status: 'False' }, conditions[1]],
          'InProgress ReplicaSetNotAvailable',
        ],
        [
          'status.conditions',
          [{ ...conditions[0], reason: 'ReplicaSetUpdated' }, conditions[1]],
          'InProgress ReplicaSetNotAvailable',
        ],
        ['status.conditions', [conditions[0]], 'InProgress DeploymentNotAvailable'],
        [
          'status.conditions',
          [conditions[0], { ...conditions[1], status: 'False' }],
          'InProgress DeploymentNotAvailable',
        ],
        [
          'status.conditions',
          [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }, conditions[1]],
          'Failed ProgressDeadlineExceeded',
        ],
        ['spec.replicas', undefined, 'InProgress ExtraPods'],
      ]);
      // Without a progress deadline the controller never sets Progressing: it counts as progressing.
      const noDeadline = withField(
        withField(d, 'spec.progressDeadlineSeconds', undefined),
        'status.conditions',
        [conditions[1]],
      );
      expect(outcome(noDeadline)).toBe('Current');
      expect(outcome(withField(noDeadline, 'spec.progressDeadlineSeconds', 2147483647))).toBe('Current');
      expect(outcome(withField(noDeadline, 'spec.progressDeadlineSeconds', 2147483646))).toBe(
        'InProgress ReplicaSetNotAvailable',
      );
      // More available than updated is fine.
      expect(outcome(withField(d, 'status.availableReplicas', 4))).toBe('Current');
    }
  });

  it('ReplicaSet (apps and extensions)', () => {
    for (const apiVersion of ['apps/v1', 'extensions/v1beta1']) {
      const rs = obj(
        apiVersion,
        'ReplicaSet',
        { replicas: 2 },
        { replicas: 2, readyReplicas: 2, availableReplicas: 2, fullyLabeledReplicas: 2 },
      );
      cases(rs, [
        ['status.fullyLabeledReplicas', 1, 'InProgress LessLabelled'],
        ['status.availableReplicas', 1, 'InProgress LessAvailable'],
        ['status.readyReplicas', 1, 'InProgress LessReady'],
        ['status.replicas', 3, 'InProgress ExtraPods'],
        ['status.conditions', [{ type: 'ReplicaFailure', status: 'True' }], 'InProgress ReplicaFailure'],
        ['status.conditions', [{ type: 'ReplicaFailure', status: 'False' }], 'Current'],
        ['spec.replicas', undefined, 'InProgress ExtraPods'],
      ]);
    }
  });

  it('DaemonSet (apps and extensions)', () => {
    for (const apiVersion of ['apps/v1', 'extensions/v1beta1']) {
      const ds = obj(
        apiVersion,
        'DaemonSet',
        {},
        {
          desiredNumberScheduled: 3,
          currentNumberScheduled: 3,
          updatedNumberScheduled: 3,
          numberAvailable: 3,
          numberReady: 3,
        },
      );
      cases(ds, [
        ['metadata.generation', undefined, 'InProgress NoGeneration'],
        ['status.observedGeneration', undefined, 'InProgress NoObservedGeneration'],
        ['status.desiredNumberScheduled', undefined, 'InProgress NoDesiredNumber'],
        ['status.currentNumberScheduled', 2, 'InProgress LessCurrent'],
        ['status.updatedNumberScheduled', 2, 'InProgress LessUpdated'],
        ['status.numberAvailable', 2, 'InProgress LessAvailable'],
        ['status.numberReady', 2, 'InProgress LessReady'],
        ['status.numberReady', 4, 'Current'],
      ]);
      // No nodes to run on: nothing is desired, which is Current.
      expect(outcome(obj(apiVersion, 'DaemonSet', {}, { desiredNumberScheduled: 0 }))).toBe('Current');
    }
  });

  it('PersistentVolumeClaim', () => {
    cases(obj('v1', 'PersistentVolumeClaim', {}, { phase: 'Bound' }), [
      ['status.phase', 'Pending', 'InProgress NotBound'],
      ['status.phase', 'Lost', 'InProgress NotBound'],
      ['status.phase', undefined, 'InProgress NotBound'],
    ]);
  });

  it('Pod', () => {
    const running = obj(
      'v1',
      'Pod',
      {},
      { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    );
    cases(running, [
      ['status.conditions', [{ type: 'Ready', status: 'False' }], 'InProgress PodRunningNotReady'],
      ['status.conditions', [], 'InProgress PodRunningNotReady'],
      ['status.phase', 'Succeeded', 'Current'],
      ['status.phase', 'Failed', 'Current'],
      ['status.phase', 'Pending', 'InProgress PodPending'],
      ['status.phase', undefined, 'InProgress PodNotObserved'],
    ]);
    const looping = withField(withField(running, 'status.conditions', []), 'status.containerStatuses', [
      { name: 'ok', state: { running: {} } },
      { name: 'a', state: { waiting: { reason: 'CrashLoopBackOff' } } },
      { name: 'b', state: { waiting: { reason: 'CrashLoopBackOff' } } },
    ]);
    expect(outcome(looping)).toBe('Failed ContainerCrashLooping');
    expect(computeStatus(looping).message).toBe('Containers in CrashLoop state: a,b');
    expect(
      outcome(
        withField(looping, 'status.containerStatuses', [
          { name: 'a', state: { waiting: { reason: 'ImagePullBackOff' } } },
        ]),
      ),
    ).toBe('InProgress PodRunningNotReady');
    // Ready wins over a container that loops.
    expect(outcome(withField(looping, 'status.conditions', [{ type: 'Ready', status: 'True' }]))).toBe(
      'Current',
    );

    const unschedulable = (createdMsAgo: number) =>
      obj(
        'v1',
        'Pod',
        {},
        {
          phase: 'Pending',
          conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }],
        },
        { creationTimestamp: new Date(NOW - createdMsAgo).toISOString() },
      );
    expect(outcome(unschedulable(POD_SCHEDULE_WINDOW_MS - 1000))).toBe('InProgress PodNotScheduled');
    expect(outcome(unschedulable(POD_SCHEDULE_WINDOW_MS))).toBe('Failed PodUnschedulable');
    expect(outcome(unschedulable(POD_SCHEDULE_WINDOW_MS + 1000))).toBe('Failed PodUnschedulable');
    expect(
      outcome(
        withField(unschedulable(0), 'status.conditions', [
          { type: 'PodScheduled', status: 'False', reason: 'Other' },
        ]),
      ),
    ).toBe('InProgress PodPending');
    expect(
      outcome(
        withField(unschedulable(0), 'status.conditions', [
          { type: 'PodScheduled', status: 'True', reason: 'Unschedulable' },
        ]),
      ),
    ).toBe('InProgress PodPending');
  });

  it('Job', () => {
    const job = obj('batch/v1', 'Job', { completions: 2 }, { startTime: '2026-06-01T11:00:00Z', active: 1 });
    cases(job, [
      ['status.startTime', undefined, 'InProgress JobNotStarted'],
      ['status.conditions', [{ type: 'Complete', status: 'True' }], 'Current'],
      ['status.conditions', [{ type: 'Failed', status: 'True' }], 'Failed JobFailed'],
      ['status.conditions', [{ type: 'Failed', status: 'False' }], 'Current'],
      ['spec.suspend', true, 'InProgress JobSuspending'],
    ]);
    const notStarted = withField(job, 'status.startTime', undefined);
    expect(outcome(withField(notStarted, 'status.conditions', [{ type: 'Complete', status: 'False' }]))).toBe(
      'InProgress JobNotStarted',
    );
    const suspended = withField(notStarted, 'status.conditions', [{ type: 'Suspended', status: 'True' }]);
    expect(outcome(withField(suspended, 'spec.suspend', true))).toBe('Current');
    expect(outcome(suspended)).toBe('InProgress JobResuming');
    expect(
      outcome(
        withField(
          withField(suspended, 'status.conditions', [{ type: 'Suspended', status: 'False' }]),
          'spec.suspend',
          true,
        ),
      ),
    ).toBe('InProgress JobSuspending');
    expect(
      computeStatus(withField(job, 'status.conditions', [{ type: 'Complete', status: 'True' }]), { now: NOW })
        .message,
    ).toBe('Job Completed. succeeded: 0/2');
    // completions default to parallelism, which defaults to 1.
    expect(
      computeStatus(
        withField(withField(job, 'spec', { parallelism: 3 }), 'status.conditions', [
          { type: 'Failed', status: 'True' },
        ]),
      ).message,
    ).toBe('Job Failed. failed: 0/3');
    expect(
      computeStatus(
        withField(withField(job, 'spec', {}), 'status.conditions', [{ type: 'Failed', status: 'True' }]),
      ).message,
    ).toBe('Job Failed. failed: 0/1');
  });

  it('Service', () => {
    const svc = obj('v1', 'Service', { type: 'LoadBalancer', clusterIP: '10.0.0.1' }, {});
    cases(svc, [
      ['spec.clusterIP', undefined, 'InProgress NoIPAssigned'],
      ['spec.clusterIP', '', 'InProgress NoIPAssigned'],
      ['spec.type', 'ClusterIP', 'Current'],
    ]);
    expect(outcome(obj('v1', 'Service', { type: 'NodePort' }, {}))).toBe('Current');
    expect(outcome(obj('v1', 'Service', {}, {}))).toBe('Current');
    // Another group's kind named Service follows the generic rules.
    expect(outcome(obj('example.com/v1', 'Service', { type: 'LoadBalancer' }, {}))).toBe('Current');
  });

  it('CustomResourceDefinition', () => {
    const crd = obj(
      'apiextensions.k8s.io/v1',
      'CustomResourceDefinition',
      {},
      {
        conditions: [
          { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts' },
          { type: 'Established', status: 'True', reason: 'InitialNamesAccepted' },
        ],
      },
    );
    cases(crd, [
      ['status.conditions', [], 'InProgress Installing'],
      [
        'status.conditions',
        [{ type: 'Established', status: 'False', reason: 'Installing' }],
        'InProgress Installing',
      ],
      ['status.conditions', [{ type: 'Established', status: 'False', reason: 'Broken' }], 'Failed Broken'],
      [
        'status.conditions',
        [{ type: 'NamesAccepted', status: 'False', reason: 'Conflict' }],
        'Failed Conflict',
      ],
      [
        'status.conditions',
        [{ type: 'NamesAccepted', status: 'True', reason: 'NoConflicts' }],
        'InProgress Installing',
      ],
    ]);
  });

  it('kinds that are always ready once observed: ConfigMap, Secret, CronJob, PodDisruptionBudget', () => {
    for (const [apiVersion, kind] of [
      ['v1', 'ConfigMap'],
      ['v1', 'Secret'],
      ['batch/v1', 'CronJob'],
      ['policy/v1', 'PodDisruptionBudget'],
    ] as const) {
      const o = obj(
        apiVersion,
        kind,
        {},
        { conditions: [{ type: 'Ready', status: 'False', reason: 'NotYet' }] },
      );
      expect(outcome(o), kind).toBe('Current');
      expect(outcome(withField(o, 'status.observedGeneration', 1)), kind).toBe(
        'InProgress LatestGenerationNotObserved',
      );
    }
  });

  it('other kinds: Ready=False is InProgress with its reason, anything else Current', () => {
    const o = obj('example.com/v1', 'Widget', {}, {});
    cases(o, [
      [
        'status.conditions',
        [{ type: 'Ready', status: 'False', reason: 'Waiting', message: 'w' }],
        'InProgress Waiting',
      ],
      ['status.conditions', [{ type: 'Ready', status: 'False' }], 'InProgress NotReady'],
      ['status.conditions', [{ type: 'Ready', status: 'True' }], 'Current'],
      ['status.conditions', [{ type: 'Ready', status: 'Unknown' }], 'Current'],
    ]);
    // Kinds of the core group are looked up by kind alone; a core-named kind elsewhere is generic.
    expect(outcome(obj('example.com/v1', 'PersistentVolumeClaim', {}, {}))).toBe('Current');
    expect(outcome(obj('example.com/v1', 'Pod', {}, {}))).toBe('Current');
  });
});
