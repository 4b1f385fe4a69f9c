import {
  arrField,
  boolField,
  intField,
  metaOf,
  type Obj,
  objField,
  optIntField,
  readConditions,
  strField,
} from '../fields.js';
import type { HealthStatus } from '../health-status.js';
import { quote } from './check-error.js';

function parts(obj: Obj) {
  const meta = metaOf(obj);
  return {
    name: strField(meta, 'name', 'metadata.name'),
    generation: intField(meta, 'generation', 'metadata.generation'),
    spec: objField(obj, 'spec', 'spec'),
    status: objField(obj, 'status', 'status'),
  };
}

/** Argo CD's Deployment rule (kubectl's rollout status, plus paused → Suspended). */
export function deploymentHealth(obj: Obj): HealthStatus {
  const { name, generation, spec, status } = parts(obj);
  if (boolField(spec, 'paused', 'spec.paused'))
    return { status: 'Suspended', message: 'Deployment is paused' };
  const observed = intField(status, 'observedGeneration', 'status.observedGeneration');
  if (generation > observed) {
    return {
      status: 'Progressing',
      message: 'Waiting for rollout to finish: observed deployment generation less than desired generation',
    };
  }
  const conditions = readConditions(arrField(status, 'conditions', 'status.conditions'), 'status.conditions');
  const progressing = conditions.find((c) => c.type === 'Progressing');
  const replicas = optIntField(spec, 'replicas', 'spec.replicas');
  const updated = intField(status, 'updatedReplicas', 'status.updatedReplicas');
  const current = intField(status, 'replicas', 'status.replicas');
  const available = intField(status, 'availableReplicas', 'status.availableReplicas');
  if (progressing !== undefined && progressing.reason === 'ProgressDeadlineExceeded') {
    return { status: 'Degraded', message: `Deployment ${quote(name)} exceeded its progress deadline` };
  }
  if (replicas !== undefined && updated < replicas) {
    return {
      status: 'Progressing',
      message: `Waiting for rollout to finish: ${updated} out of ${replicas} new replicas have been updated...`,
    };
  }
  if (current > updated) {
    return {
      status: 'Progressing',
      message: `Waiting for rollout to finish: ${current - updated} old replicas are pending termination...`,
    };
  }
  if (available < updated) {
    return {
      status: 'Progressing',
      message: `Waiting for rollout to finish: ${available} of ${updated} updated replicas are available...`,
    };
  }
  return { status: 'Healthy', message: '' };
}

/** Argo CD's StatefulSet rule (kubectl's rollout status, partitions and OnDelete). */
export function statefulSetHealth(obj: Obj): HealthStatus {
  const { generation, spec, status } = parts(obj);
  const observed = intField(status, 'observedGeneration', 'status.observedGeneration');
  if (observed === 0 || generation > observed) {
    return { status: 'Progressing', message: 'Waiting for statefulset spec update to be observed...' };
  }
  const replicas = optIntField(spec, 'replicas', 'spec.replicas');
  const ready = intField(status, 'readyReplicas', 'status.readyReplicas');
  const updated = intField(status, 'updatedReplicas', 'status.updatedReplicas');
  if (replicas !== undefined && ready < replicas) {
    return { status: 'Progressing', message: `Waiting for ${replicas - ready} pods to be ready...` };
  }
  const strategy = objField(spec, 'updateStrategy', 'spec.updateStrategy');
  const strategyType = strField(strategy, 'type', 'spec.updateStrategy.type');
  const rollingUpdate = objField(strategy, 'rollingUpdate', 'spec.updateStrategy.rollingUpdate');
  if (strategyType === 'RollingUpdate' && rollingUpdate !== undefined) {
    const partition = optIntField(rollingUpdate, 'partition', 'spec.updateStrategy.rollingUpdate.partition');
    if (replicas !== undefined && partition !== undefined && updated < replicas - partition) {
      return {
        status: 'Progressing',
        message: `Waiting for partitioned roll out to finish: ${updated} out of ${replicas - partition} new pods have been updated...`,
      };
    }
    return {
      status: 'Healthy',
      message: `partitioned roll out complete: ${updated} new pods have been updated...`,
    };
  }
  if (strategyType === 'OnDelete') {
    return { status: 'Healthy', message: `statefulset has ${ready} ready pods` };
  }
  const updateRevision = strField(status, 'updateRevision', 'status.updateRevision');
  const currentRevision = strField(status, 'currentRevision', 'status.currentRevision');
  if (updateRevision !== currentRevision) {
    return {
      status: 'Progressing',
      message: `waiting for statefulset rolling update to complete ${updated} pods at revision ${updateRevision}...`,
    };
  }
  const currentReplicas = intField(status, 'currentReplicas', 'status.currentReplicas');
  return {
    status: 'Healthy',
    message: `statefulset rolling update complete ${currentReplicas} pods at revision ${currentRevision}...`,
  };
}

/** Argo CD's DaemonSet rule. */
export function daemonSetHealth(obj: Obj): HealthStatus {
  const { name, generation, spec, status } = parts(obj);
  const observed = intField(status, 'observedGeneration', 'status.observedGeneration');
  if (generation > observed) {
    return {
      status: 'Progressing',
      message: 'Waiting for rollout to finish: observed daemon set generation less than desired generation',
    };
  }
  const strategy = objField(spec, 'updateStrategy', 'spec.updateStrategy');
  const updated = intField(status, 'updatedNumberScheduled', 'status.updatedNumberScheduled');
  const desired = intField(status, 'desiredNumberScheduled', 'status.desiredNumberScheduled');
  const available = intField(status, 'numberAvailable', 'status.numberAvailable');
  if (strField(strategy, 'type', 'spec.updateStrategy.type') === 'OnDelete') {
    return {
      status: 'Healthy',
      message: `daemon set ${updated} out of ${desired} new pods have been updated`,
    };
  }
  if (updated < desired) {
    return {
      status: 'Progressing',
      message: `Waiting for daemon set ${quote(name)} rollout to finish: ${updated} out of ${desired} new pods have been updated...`,
    };
  }
  if (available < desired) {
    return {
      status: 'Progressing',
      message: `Waiting for daemon set ${quote(name)} rollout to finish: ${available} of ${desired} updated pods are available...`,
    };
  }
  return { status: 'Healthy', message: '' };
}

/** Argo CD's ReplicaSet rule. */
export function replicaSetHealth(obj: Obj): HealthStatus {
  const { generation, spec, status } = parts(obj);
  const observed = intField(status, 'observedGeneration', 'status.observedGeneration');
  if (generation > observed) {
    return {
      status: 'Progressing',
      message: 'Waiting for rollout to finish: observed replica set generation less than desired generation',
    };
  }
  const conditions = readConditions(arrField(status, 'conditions', 'status.conditions'), 'status.conditions');
  const failure = conditions.find((c) => c.type === 'ReplicaFailure');
  const replicas = optIntField(spec, 'replicas', 'spec.replicas');
  const available = intField(status, 'availableReplicas', 'status.availableReplicas');
  if (failure !== undefined && failure.status === 'True')
    return { status: 'Degraded', message: failure.message };
  if (replicas !== undefined && available < replicas) {
    return {
      status: 'Progressing',
      message: `Waiting for rollout to finish: ${available} out of ${replicas} new replicas are available...`,
    };
  }
  return { status: 'Healthy', message: '' };
}
