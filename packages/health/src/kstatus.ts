// kstatus (sigs.k8s.io/cli-utils pkg/kstatus/status): the status vocabulary Flux and kpt wait on.

/** kstatus' statuses. */
export type KStatus = 'InProgress' | 'Failed' | 'Current' | 'Terminating' | 'NotFound' | 'Unknown';

/** A condition kstatus computes (it follows the "abnormal-true" convention). */
export interface KStatusCondition {
  /** `Reconciling` or `Stalled`. */
  type: 'Reconciling' | 'Stalled';
  /** Always `True` when computed. */
  status: 'True' | 'False' | 'Unknown';
  /** CamelCase reason. */
  reason: string;
  /** Message for a person. */
  message: string;
}

/** The result of {@link computeStatus}. */
export interface KStatusResult {
  /** The status. */
  status: KStatus;
  /** Why. */
  message: string;
  /** The Reconciling/Stalled conditions the object would carry (none when Current). */
  conditions: KStatusCondition[];
}

type Obj = Record<string, unknown>;

/** A field of the wrong type where kstatus parses strictly; the result becomes Unknown. */
class KStatusTypeError extends Error {}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nested(obj: Obj, path: string[]): { found: boolean; value: unknown } {
  let cur: unknown = obj;
  for (const key of path) {
    if (!isObj(cur) || !Object.hasOwn(cur, key)) return { found: false, value: undefined };
    cur = cur[key];
  }
  return { found: true, value: cur };
}

// Lenient readers, as cli-utils' GetIntField/GetStringField: a missing or mistyped field is the default.
function intAt(obj: Obj, path: string, fallback: number): number {
  const { found, value } = nested(obj, path.split('.'));
  return found && typeof value === 'number' && Number.isInteger(value) ? value : fallback;
}

function strAt(obj: Obj, path: string, fallback: string): string {
  const { found, value } = nested(obj, path.split('.'));
  return found && typeof value === 'string' ? value : fallback;
}

// Strict reader, as unstructured.NestedInt64: a value of another type is an error.
function strictInt(obj: Obj, path: string[]): number | undefined {
  const { found, value } = nested(obj, path);
  if (!found || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new KStatusTypeError(
      `${path.join('.')} accessor error: ${JSON.stringify(value)} is of the type ${typeof value}, expected int64`,
    );
  }
  return value;
}

interface BasicCondition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

function conditionsOf(obj: Obj): BasicCondition[] {
  const status = obj.status;
  if (status === undefined || status === null) return [];
  if (!isObj(status)) throw new KStatusTypeError('status: expected an object');
  const list = status.conditions;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new KStatusTypeError('status.conditions: expected a list');
  return list.map((c, i) => {
    if (!isObj(c)) throw new KStatusTypeError(`status.conditions[${i}]: expected an object`);
    const field = (k: string): string => {
      const v = c[k];
      if (v === undefined || v === null) return '';
      if (typeof v !== 'string')
        throw new KStatusTypeError(`status.conditions[${i}].${k}: expected a string`);
      return v;
    };
    return {
      type: field('type'),
      status: field('status'),
      reason: field('reason'),
      message: field('message'),
    };
  });
}

function current(message: string): KStatusResult {
  return { status: 'Current', message, conditions: [] };
}

function inProgress(reason: string, message: string): KStatusResult {
  return {
    status: 'InProgress',
    message,
    conditions: [{ type: 'Reconciling', status: 'True', reason, message }],
  };
}

function failed(reason: string, message: string): KStatusResult {
  return { status: 'Failed', message, conditions: [{ type: 'Stalled', status: 'True', reason, message }] };
}

function kindOf(obj: Obj): string {
  return typeof obj.kind === 'string' ? obj.kind : '';
}

function checkGeneric(obj: Obj): KStatusResult | undefined {
  const deletion = nested(obj, ['metadata', 'deletionTimestamp']);
  if (deletion.found && deletion.value !== null) {
    if (typeof deletion.value !== 'string')
      throw new KStatusTypeError('metadata.deletionTimestamp: expected a string');
    if (deletion.value !== '')
      return { status: 'Terminating', message: 'Resource scheduled for deletion', conditions: [] };
  }
  const generation = strictInt(obj, ['metadata', 'generation']);
  if (generation !== undefined) {
    const observed = strictInt(obj, ['status', 'observedGeneration']);
    if (observed !== undefined && observed !== generation) {
      const message = `${kindOf(obj)} generation is ${generation}, but latest observed generation is ${observed}`;
      return inProgress('LatestGenerationNotObserved', message);
    }
  }
  for (const c of conditionsOf(obj)) {
    if (c.type === 'Reconciling' && c.status === 'True') {
      return {
        status: 'InProgress',
        message: c.message,
        conditions: [{ type: 'Reconciling', status: 'True', reason: c.reason, message: c.message }],
      };
    }
    if (c.type === 'Stalled' && c.status === 'True') {
      return {
        status: 'Failed',
        message: c.message,
        conditions: [{ type: 'Stalled', status: 'True', reason: c.reason, message: c.message }],
      };
    }
  }
  return undefined;
}

function checkGenerationSet(obj: Obj): KStatusResult | undefined {
  if (strictInt(obj, ['metadata', 'generation']) === undefined) {
    const message = `${kindOf(obj)} metadata.generation not found`;
    return inProgress('NoGeneration', message);
  }
  if (strictInt(obj, ['status', 'observedGeneration']) === undefined) {
    const message = `${kindOf(obj)} status.observedGeneration not found`;
    return inProgress('NoObservedGeneration', message);
  }
  return undefined;
}

const alwaysReady = (): KStatusResult => current('Resource is always ready');

function statefulSet(obj: Obj): KStatusResult {
  // Stryker disable next-line StringLiteral: equivalent, the default is only compared with 'OnDelete'
  if (strAt(obj, 'spec.updateStrategy.type', '') === 'OnDelete') {
    return current('StatefulSet is using the ondelete update strategy');
  }
  const spec = intAt(obj, 'spec.replicas', 1);
  const ready = intAt(obj, 'status.readyReplicas', 0);
  const cur = intAt(obj, 'status.currentReplicas', 0);
  const updated = intAt(obj, 'status.updatedReplicas', 0);
  const replicas = intAt(obj, 'status.replicas', 0);
  const partition = intAt(obj, 'spec.updateStrategy.rollingUpdate.partition', -1);
  if (spec > replicas) return inProgress('LessReplicas', `Replicas: ${replicas}/${spec}`);
  if (spec > ready) return inProgress('LessReady', `Ready: ${ready}/${spec}`);
  if (replicas > spec) return inProgress('ExtraPods', `Pending termination: ${replicas - spec}`);
  if (partition !== -1) {
    if (updated < spec - partition)
      return inProgress('PartitionRollout', `updated: ${updated}/${spec - partition}`);
    return current(`Partition rollout complete. updated: ${updated}`);
  }
  if (spec > cur) return inProgress('LessCurrent', `current: ${cur}/${spec}`);
  if (strAt(obj, 'status.currentRevision', '') !== strAt(obj, 'status.updateRevision', '')) {
    return inProgress('RevisionMismatch', 'Waiting for updated revision to match current');
  }
  return current(`All replicas scheduled as expected. Replicas: ${replicas}`);
}

const MAX_INT32 = 2147483647;

function deployment(obj: Obj): KStatusResult {
  let progressing = intAt(obj, 'spec.progressDeadlineSeconds', MAX_INT32) === MAX_INT32;
  let available = false;
  for (const c of conditionsOf(obj)) {
    if (c.type === 'Progressing') {
      if (c.reason === 'ProgressDeadlineExceeded') {
        return {
          status: 'Failed',
          message: 'Progress deadline exceeded',
          conditions: [{ type: 'Stalled', status: 'True', reason: c.reason, message: c.message }],
        };
      }
      if (c.status === 'True' && c.reason === 'NewReplicaSetAvailable') progressing = true;
    } else if (c.type === 'Available' && c.status === 'True') {
      available = true;
    }
  }
  const spec = intAt(obj, 'spec.replicas', 1);
  const replicas = intAt(obj, 'status.replicas', 0);
  const updated = intAt(obj, 'status.updatedReplicas', 0);
  const ready = intAt(obj, 'status.readyReplicas', 0);
  const avail = intAt(obj, 'status.availableReplicas', 0);
  if (spec > replicas) return inProgress('LessReplicas', `Replicas: ${replicas}/${spec}`);
  if (spec > updated) return inProgress('LessUpdated', `Updated: ${updated}/${spec}`);
  if (replicas > spec) return inProgress('ExtraPods', `Pending termination: ${replicas - spec}`);
  if (updated > avail) return inProgress('LessAvailable', `Available: ${avail}/${updated}`);
  if (spec > ready) return inProgress('LessReady', `Ready: ${ready}/${spec}`);
  if (!progressing) return inProgress('ReplicaSetNotAvailable', 'ReplicaSet not Available');
  if (!available) return inProgress('DeploymentNotAvailable', 'Deployment not Available');
  return current(`Deployment is available. Replicas: ${replicas}`);
}

function replicaSet(obj: Obj): KStatusResult {
  for (const c of conditionsOf(obj)) {
    if (c.type === 'ReplicaFailure' && c.status === 'True') {
      return inProgress('ReplicaFailure', 'Replica Failure condition. Check Pods');
    }
  }
  const spec = intAt(obj, 'spec.replicas', 1);
  const replicas = intAt(obj, 'status.replicas', 0);
  const ready = intAt(obj, 'status.readyReplicas', 0);
  const avail = intAt(obj, 'status.availableReplicas', 0);
  const labelled = intAt(obj, 'status.fullyLabeledReplicas', 0);
  if (spec > labelled) return inProgress('LessLabelled', `Labelled: ${labelled}/${spec}`);
  if (spec > avail) return inProgress('LessAvailable', `Available: ${avail}/${spec}`);
  if (spec > ready) return inProgress('LessReady', `Ready: ${ready}/${spec}`);
  if (replicas > spec) return inProgress('ExtraPods', `Pending termination: ${replicas - spec}`);
  return current(`ReplicaSet is available. Replicas: ${replicas}`);
}

function daemonSet(obj: Obj): KStatusResult {
  const unset = checkGenerationSet(obj);
  if (unset !== undefined) return unset;
  const desired = intAt(obj, 'status.desiredNumberScheduled', -1);
  const cur = intAt(obj, 'status.currentNumberScheduled', 0);
  const updated = intAt(obj, 'status.updatedNumberScheduled', 0);
  const avail = intAt(obj, 'status.numberAvailable', 0);
  const ready = intAt(obj, 'status.numberReady', 0);
  if (desired === -1) return inProgress('NoDesiredNumber', 'Missing .status.desiredNumberScheduled');
  if (desired > cur) return inProgress('LessCurrent', `Current: ${cur}/${desired}`);
  if (desired > updated) return inProgress('LessUpdated', `Updated: ${updated}/${desired}`);
  if (desired > avail) return inProgress('LessAvailable', `Available: ${avail}/${desired}`);
  if (desired > ready) return inProgress('LessReady', `Ready: ${ready}/${desired}`);
  return current(`All replicas scheduled as expected. Replicas: ${desired}`);
}

function pvc(obj: Obj): KStatusResult {
  const phase = strAt(obj, 'status.phase', 'unknown');
  if (phase !== 'Bound') return inProgress('NotBound', `PVC is not Bound. phase: ${phase}`);
  return current('PVC is Bound');
}

/** How long a pod may stay unscheduled before kstatus reports it as Failed. */
export const POD_SCHEDULE_WINDOW_MS = 15_000;

function crashLoopingContainers(obj: Obj): string[] {
  const list = nested(obj, ['status', 'containerStatuses']).value;
  if (!Array.isArray(list)) return [];
  const names: string[] = [];
  for (const cs of list) {
    if (!isObj(cs) || typeof cs.name !== 'string') continue;
    const reason = nested(cs, ['state', 'waiting', 'reason']).value;
    if (reason === 'CrashLoopBackOff') names.push(cs.name);
  }
  return names;
}

function pod(obj: Obj, now: number): KStatusResult {
  const conditions = conditionsOf(obj);
  const phase = strAt(obj, 'status.phase', '');
  switch (phase) {
    case 'Succeeded':
      return current('Pod has completed successfully');
    case 'Failed':
      return current('Pod has completed, but not successfully');
    case 'Running': {
      if (conditions.some((c) => c.type === 'Ready' && c.status === 'True')) return current('Pod is Ready');
      const looping = crashLoopingContainers(obj);
      if (looping.length > 0)
        return failed('ContainerCrashLooping', `Containers in CrashLoop state: ${looping.join(',')}`);
      return inProgress('PodRunningNotReady', 'Pod is running but is not Ready');
    }
    case 'Pending': {
      const c = conditions.find((x) => x.type === 'PodScheduled' && x.status === 'False');
      if (c !== undefined && c.reason === 'Unschedulable') {
        // Stryker disable next-line StringLiteral: equivalent, any default that is not a time parses to NaN
        const created = Date.parse(strAt(obj, 'metadata.creationTimestamp', ''));
        if (!Number.isNaN(created) && now - POD_SCHEDULE_WINDOW_MS < created) {
          return inProgress('PodNotScheduled', 'Pod has not been scheduled');
        }
        return failed('PodUnschedulable', 'Pod could not be scheduled');
      }
      return inProgress('PodPending', 'Pod is in the Pending phase');
    }
    case '':
      return inProgress('PodNotObserved', 'Pod phase not available');
    default:
      return { status: 'Unknown', message: `unknown phase ${phase}`, conditions: [] };
  }
}

function job(obj: Obj): KStatusResult {
  const parallelism = intAt(obj, 'spec.parallelism', 1);
  const completions = intAt(obj, 'spec.completions', parallelism);
  const succeeded = intAt(obj, 'status.succeeded', 0);
  const active = intAt(obj, 'status.active', 0);
  const failures = intAt(obj, 'status.failed', 0);
  const startTime = strAt(obj, 'status.startTime', '');
  const suspend = nested(obj, ['spec', 'suspend']).value === true;
  for (const c of conditionsOf(obj)) {
    if (c.type === 'Complete' && c.status === 'True') {
      return current(`Job Completed. succeeded: ${succeeded}/${completions}`);
    }
    if (c.type === 'Failed' && c.status === 'True') {
      return failed('JobFailed', `Job Failed. failed: ${failures}/${completions}`);
    }
    if (c.type === 'Suspended') {
      // Suspended only counts once the controller agrees with the spec; until then the job moves.
      if (c.status === 'True' && suspend) return current('Job is suspended');
      if (c.status === 'True' && !suspend) return inProgress('JobResuming', 'Job is being resumed');
    }
  }
  if (suspend) return inProgress('JobSuspending', 'Job is being suspended');
  if (startTime === '') return inProgress('JobNotStarted', 'Job not started');
  return current(`Job in progress. success:${succeeded}, active: ${active}, failed: ${failures}`);
}

function service(obj: Obj): KStatusResult {
  // Stryker disable next-line StringLiteral: equivalent, the type's default is only compared with 'LoadBalancer'
  if (strAt(obj, 'spec.type', 'ClusterIP') === 'LoadBalancer' && strAt(obj, 'spec.clusterIP', '') === '') {
    return inProgress('NoIPAssigned', 'ClusterIP not set. Service type: LoadBalancer');
  }
  return current('Service is ready');
}

function crd(obj: Obj): KStatusResult {
  for (const c of conditionsOf(obj)) {
    if (c.type === 'NamesAccepted' && c.status === 'False') return failed(c.reason, c.message);
    if (c.type === 'Established') {
      if (c.status === 'False' && c.reason !== 'Installing') return failed(c.reason, c.message);
      if (c.status === 'True') return current('CRD is established');
    }
  }
  return inProgress('Installing', 'Install in progress');
}

// An autoscaler reports its own health in conditions: without them nothing is known yet; pinned
// at its min or max it cannot follow the load (Failed); able to scale and active, it is Current.
function hpa(obj: Obj): KStatusResult {
  const conditions = conditionsOf(obj);
  if (conditions.length === 0) {
    return { status: 'Unknown', message: 'HorizontalPodAutoscaler has no conditions yet', conditions: [] };
  }
  const limited = conditions.find((c) => c.type === 'ScalingLimited' && c.status === 'True');
  if (limited !== undefined) {
    return failed(
      limited.reason || 'ScalingLimited',
      limited.message || 'Scaling is limited by the replica bounds',
    );
  }
  for (const type of ['AbleToScale', 'ScalingActive']) {
    const c = conditions.find((x) => x.type === type);
    if (c === undefined || c.status !== 'True') {
      return inProgress(c?.reason || `Not${type}`, c?.message || `${type} is not True`);
    }
  }
  return current('HorizontalPodAutoscaler is able to scale');
}

const LEGACY: Record<string, (obj: Obj, now: number) => KStatusResult> = {
  Service: service,
  Pod: pod,
  Secret: alwaysReady,
  PersistentVolumeClaim: pvc,
  'apps/StatefulSet': statefulSet,
  'apps/DaemonSet': daemonSet,
  'extensions/DaemonSet': daemonSet,
  'apps/Deployment': deployment,
  'extensions/Deployment': deployment,
  'apps/ReplicaSet': replicaSet,
  'extensions/ReplicaSet': replicaSet,
  'policy/PodDisruptionBudget': () => current('AllowedDisruptions has been computed.'),
  'batch/CronJob': alwaysReady,
  ConfigMap: alwaysReady,
  'batch/Job': job,
  'apiextensions.k8s.io/CustomResourceDefinition': crd,
  'autoscaling/HorizontalPodAutoscaler': hpa,
};

/** Options of {@link computeStatus}. */
export interface ComputeStatusOptions {
  /** The current time in epoch milliseconds (default `Date.now()`), for the pod scheduling window. */
  now?: number;
}

/**
 * kstatus' status of an object: generic rules first (deletion → Terminating, an unobserved
 * generation → InProgress, `Reconciling=True` → InProgress, `Stalled=True` → Failed), then the
 * rules of the built-in kinds, then for other kinds `Ready=False` → InProgress, else Current.
 * `null`/`undefined` (an object the cluster does not have) is NotFound. Never throws: a field of
 * the wrong type where kstatus reads strictly yields Unknown.
 */
export function computeStatus(obj: unknown, options: ComputeStatusOptions = {}): KStatusResult {
  if (obj === null || obj === undefined)
    return { status: 'NotFound', message: 'Resource not found', conditions: [] };
  if (!isObj(obj)) return { status: 'Unknown', message: 'not a Kubernetes object', conditions: [] };
  try {
    const generic = checkGeneric(obj);
    if (generic !== undefined) return generic;
    // Stryker disable next-line StringLiteral: equivalent, any default without a slash is the core group
    const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
    const slash = apiVersion.indexOf('/');
    // Stryker disable next-line EqualityOperator: equivalent, a slash at 0 gives the empty group either way
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const kind = kindOf(obj);
    const rule = LEGACY[group === '' ? kind : `${group}/${kind}`];
    if (rule !== undefined) return rule(obj, options.now ?? Date.now());
    const ready = conditionsOf(obj).find((c) => c.type === 'Ready' && c.status === 'False');
    if (ready !== undefined)
      return inProgress(ready.reason || 'NotReady', ready.message || 'Resource is not Ready');
    return current('Resource is current');
  } catch (err) {
    return { status: 'Unknown', message: err instanceof Error ? err.message : String(err), conditions: [] };
  }
}
