import type { KubeObject } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { assessHealth } from '../src/index.js';

// Argo CD converts an object to its typed Go struct before a built-in rule reads it, and a field
// of the wrong JSON type fails that conversion: the object is Unknown with the conversion error.
// Our rules check each field they read and name it in the message (`field <path>: expected <type>,
// got <type>`). For each rule, every field it reads on its longest path is given a value of the
// wrong type in an otherwise complete object, and the message must name exactly that field.

type FieldType = 'object' | 'array' | 'string' | 'integer' | 'boolean';

// A value of another JSON type than the field's, and the name of its type.
const WRONG: Record<FieldType, [unknown, string]> = {
  object: ['x', 'string'],
  array: [{}, 'object'],
  string: [7, 'number'],
  integer: ['7', 'string'],
  boolean: ['true', 'string'],
};

/** A deep copy of `base` with the field at `path` (`a.b[0].c`) set to `value`. */
function withField(base: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(base);
  const keys = path.split(/\.|\[(\d+)\]/).filter((k) => k !== undefined && k !== '');
  let at: Record<string, unknown> = copy;
  for (const [i, k] of keys.entries()) {
    if (i === keys.length - 1) {
      at[k] = value;
      break;
    }
    at[k] ??= /^\d+$/.test(keys[i + 1] as string) ? [] : {};
    at = at[k] as Record<string, unknown>;
  }
  return copy;
}

function expectFieldErrors(
  kind: string,
  base: Record<string, unknown>,
  fields: [string, FieldType][],
  label = kind,
) {
  // The complete object is assessed without an error.
  expect(assessHealth(base as KubeObject)?.status, `${kind}: the base object`).not.toBe('Unknown');
  for (const [path, type] of fields) {
    const [value, actual] = WRONG[type];
    expect(assessHealth(withField(base, path, value) as KubeObject), path).toEqual({
      status: 'Unknown',
      message: `failed to convert unstructured ${label} to typed: field ${path}: expected ${type}, got ${actual}`,
    });
  }
}

const meta = (extra: Record<string, unknown> = {}) => ({
  name: 'x',
  namespace: 'ns',
  generation: 1,
  ...extra,
});

describe('a field of the wrong type is Unknown, naming the field', () => {
  it('Service', () => {
    const base = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(),
      spec: { type: 'LoadBalancer' },
      status: { loadBalancer: { ingress: [{ ip: '10.0.0.1' }] } },
    };
    expectFieldErrors('Service', base, [
      ['spec', 'object'],
      ['spec.type', 'string'],
      ['status', 'object'],
      ['status.loadBalancer', 'object'],
      ['status.loadBalancer.ingress', 'array'],
    ]);
  });

  it('PersistentVolumeClaim', () => {
    const base = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: meta(),
      status: { phase: 'Bound' },
    };
    expectFieldErrors('PersistentVolumeClaim', base, [
      ['status', 'object'],
      ['status.phase', 'string'],
    ]);
  });

  it('APIService', () => {
    const base = {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: meta(),
      status: { conditions: [{ type: 'Available', status: 'True', reason: 'Passed', message: 'ok' }] },
    };
    expectFieldErrors('APIService', base, [
      ['status', 'object'],
      ['status.conditions', 'array'],
      ['status.conditions[0]', 'object'],
      ['status.conditions[0].type', 'string'],
      ['status.conditions[0].status', 'string'],
      ['status.conditions[0].reason', 'string'],
      ['status.conditions[0].message', 'string'],
    ]);
  });

  it('Argo Workflow', () => {
    const base = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: meta(),
      status: { phase: 'Succeeded', message: 'done' },
    };
    expectFieldErrors('Workflow', base, [
      ['status', 'object'],
      ['status.phase', 'string'],
      ['status.message', 'string'],
    ]);
  });

  it('Job', () => {
    const base = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: meta(),
      status: { conditions: [{ type: 'Complete', status: 'True', message: 'done' }] },
    };
    expectFieldErrors('Job', base, [
      ['status', 'object'],
      ['status.conditions', 'array'],
      ['status.conditions[0]', 'object'],
      ['status.conditions[0].type', 'string'],
    ]);
  });

  it('Deployment', () => {
    const base = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(),
      spec: { replicas: 1, paused: false },
      status: {
        observedGeneration: 1,
        replicas: 1,
        updatedReplicas: 1,
        availableReplicas: 1,
        conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }],
      },
    };
    expectFieldErrors('Deployment', base, [
      ['metadata.name', 'string'],
      ['metadata.generation', 'integer'],
      ['spec', 'object'],
      ['status', 'object'],
      ['spec.paused', 'boolean'],
      ['status.observedGeneration', 'integer'],
      ['status.conditions', 'array'],
      ['status.conditions[0]', 'object'],
      ['spec.replicas', 'integer'],
      ['status.updatedReplicas', 'integer'],
      ['status.replicas', 'integer'],
      ['status.availableReplicas', 'integer'],
    ]);
  });

  it('StatefulSet', () => {
    const base = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta(),
      spec: { replicas: 1, updateStrategy: { type: 'RollingUpdate' } },
      status: {
        observedGeneration: 1,
        readyReplicas: 1,
        updatedReplicas: 1,
        currentReplicas: 1,
        updateRevision: 'r1',
        currentRevision: 'r1',
      },
    };
    expectFieldErrors('StatefulSet', base, [
      ['metadata.generation', 'integer'],
      ['status.observedGeneration', 'integer'],
      ['spec.replicas', 'integer'],
      ['status.readyReplicas', 'integer'],
      ['status.updatedReplicas', 'integer'],
      ['spec.updateStrategy', 'object'],
      ['spec.updateStrategy.type', 'string'],
      ['spec.updateStrategy.rollingUpdate', 'object'],
      ['status.updateRevision', 'string'],
      ['status.currentRevision', 'string'],
      ['status.currentReplicas', 'integer'],
    ]);
    const partitioned = withField(base, 'spec.updateStrategy.rollingUpdate', { partition: 0 });
    expectFieldErrors('StatefulSet', partitioned, [
      ['spec.updateStrategy.rollingUpdate.partition', 'integer'],
    ]);
  });

  it('DaemonSet', () => {
    const base = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: meta(),
      spec: { updateStrategy: { type: 'RollingUpdate' } },
      status: {
        observedGeneration: 1,
        updatedNumberScheduled: 1,
        desiredNumberScheduled: 1,
        numberAvailable: 1,
      },
    };
    expectFieldErrors('DaemonSet', base, [
      ['metadata.name', 'string'],
      ['status.observedGeneration', 'integer'],
      ['spec.updateStrategy', 'object'],
      ['status.updatedNumberScheduled', 'integer'],
      ['status.desiredNumberScheduled', 'integer'],
      ['status.numberAvailable', 'integer'],
      ['spec.updateStrategy.type', 'string'],
    ]);
  });

  it('ReplicaSet', () => {
    const base = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: meta(),
      spec: { replicas: 1 },
      status: {
        observedGeneration: 1,
        availableReplicas: 1,
        conditions: [{ type: 'Other', status: 'True' }],
      },
    };
    expectFieldErrors('ReplicaSet', base, [
      ['metadata.generation', 'integer'],
      ['status.observedGeneration', 'integer'],
      ['status.conditions', 'array'],
      ['status.conditions[0]', 'object'],
      ['spec.replicas', 'integer'],
      ['status.availableReplicas', 'integer'],
    ]);
  });

  it('HorizontalPodAutoscaler (named "HPA" in the conversion error, as gitops-engine does)', () => {
    const base = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta(),
      status: { conditions: [{ type: 'AbleToScale', status: 'True', reason: 'R', message: 'M' }] },
    };
    const fields: [string, FieldType][] = [
      ['status', 'object'],
      ['status.conditions', 'array'],
      ['status.conditions[0]', 'object'],
      ['status.conditions[0].status', 'string'],
    ];
    expectFieldErrors('HorizontalPodAutoscaler', base, fields, 'HPA');
    // autoscaling/v1 reads its conditions from an annotation, which must be a string.
    const v1 = {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta({ annotations: { 'autoscaling.alpha.kubernetes.io/conditions': 7 } }),
    };
    expect(assessHealth(v1 as KubeObject)).toEqual({
      status: 'Unknown',
      message:
        'failed to convert unstructured HPA to typed: field metadata.annotations.autoscaling.alpha.kubernetes.io/conditions: expected string, got number',
    });
  });

  it('Pod', () => {
    const container = {
      name: 'app',
      state: {
        waiting: { reason: 'ContainerCreating', message: 'creating' },
        terminated: { reason: 'Completed', message: 'done', exitCode: 0 },
      },
      lastState: { terminated: { exitCode: 1 } },
    };
    const base = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta(),
      spec: { restartPolicy: 'Always' },
      status: {
        phase: 'Running',
        message: 'm',
        containerStatuses: [container],
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    };
    const c = 'status.containerStatuses[0]';
    expectFieldErrors('Pod', base, [
      ['spec', 'object'],
      ['status', 'object'],
      ['spec.restartPolicy', 'string'],
      ['status.phase', 'string'],
      ['status.message', 'string'],
      ['status.containerStatuses', 'array'],
      [c, 'object'],
      [`${c}.name`, 'string'],
      [`${c}.state`, 'object'],
      [`${c}.state.waiting`, 'object'],
      [`${c}.state.waiting.reason`, 'string'],
      [`${c}.state.waiting.message`, 'string'],
      [`${c}.state.terminated`, 'object'],
      [`${c}.state.terminated.reason`, 'string'],
      [`${c}.state.terminated.message`, 'string'],
      [`${c}.state.terminated.exitCode`, 'integer'],
      [`${c}.lastState`, 'object'],
      [`${c}.lastState.terminated`, 'object'],
      ['status.conditions', 'array'],
      ['status.conditions[0]', 'object'],
    ]);
    // The init containers are read only for a failed pod without a message of its own.
    const failed = withField(withField(base, 'status.phase', 'Failed'), 'status.message', '');
    const i = 'status.initContainerStatuses';
    expectFieldErrors('Pod', withField(failed, i, [container]), [
      [i, 'array'],
      [`${i}[0]`, 'object'],
      [`${i}[0].state`, 'object'],
      [`${i}[0].state.terminated.exitCode`, 'integer'],
    ]);
  });
});
