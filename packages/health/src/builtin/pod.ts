import {
  annotationsOf,
  arrField,
  FieldTypeError,
  intField,
  jsonTypeOf,
  type Obj,
  objField,
  readConditions,
  strField,
} from '../fields.js';
import type { HealthStatus } from '../health-status.js';

/** The annotation that makes a Never/OnFailure pod (not a hook) assessed like an Always pod. */
export const IGNORE_RESTART_POLICY_ANNOTATION = 'argocd.argoproj.io/ignore-restart-policy';

interface ContainerStatusView {
  name: string;
  waiting?: { reason: string; message: string };
  terminated?: { reason: string; message: string; exitCode: number };
  lastTerminated: boolean;
}

function readContainerStatuses(status: Obj | undefined, key: string): ContainerStatusView[] {
  const list = arrField(status, key, `status.${key}`);
  const out: ContainerStatusView[] = [];
  // Stryker disable next-line EqualityOperator: equivalent, one more (empty) status says nothing
  for (let i = 0; i < list.length; i++) {
    const p = `status.${key}[${i}]`;
    // A null entry converts to Go's zero value: an empty status, which says nothing.
    const cs = list[i] ?? {};
    if (typeof cs !== 'object' || Array.isArray(cs)) throw new FieldTypeError(p, 'object', jsonTypeOf(cs));
    const c = cs as Obj;
    const state = objField(c, 'state', `${p}.state`);
    const waiting = objField(state, 'waiting', `${p}.state.waiting`);
    const terminated = objField(state, 'terminated', `${p}.state.terminated`);
    const last = objField(c, 'lastState', `${p}.lastState`);
    const view: ContainerStatusView = {
      name: strField(c, 'name', `${p}.name`),
      lastTerminated: objField(last, 'terminated', `${p}.lastState.terminated`) !== undefined,
    };
    // Stryker disable next-line ConditionalExpression: equivalent, an empty waiting reason matches no error
    if (waiting !== undefined) {
      view.waiting = {
        reason: strField(waiting, 'reason', `${p}.state.waiting.reason`),
        message: strField(waiting, 'message', `${p}.state.waiting.message`),
      };
    }
    // Stryker disable next-line ConditionalExpression: equivalent, an empty termination (no message, exit 0) gives no failure message
    if (terminated !== undefined) {
      view.terminated = {
        reason: strField(terminated, 'reason', `${p}.state.terminated.reason`),
        message: strField(terminated, 'message', `${p}.state.terminated.message`),
        exitCode: intField(terminated, 'exitCode', `${p}.state.terminated.exitCode`),
      };
    }
    out.push(view);
  }
  return out;
}

function isHook(annotations: Record<string, string>): boolean {
  return annotations['argocd.argoproj.io/hook'] !== undefined || annotations['helm.sh/hook'] !== undefined;
}

function failMessage(c: ContainerStatusView): string {
  const t = c.terminated;
  if (t === undefined) return '';
  if (t.message !== '') return t.message;
  if (t.reason === 'OOMKilled') return t.reason;
  if (t.exitCode !== 0) return `container ${JSON.stringify(c.name)} failed with exit code ${t.exitCode}`;
  return '';
}

/**
 * Argo CD's Pod rule. Pods that restart (policy Always) are Degraded when a container waits on an
 * error or back-off; pods with a finite life (OnFailure, Never: usually hooks) stay Progressing
 * while running, unless annotated to ignore their restart policy.
 */
export function podHealth(obj: Obj): HealthStatus {
  const spec = objField(obj, 'spec', 'spec');
  const status = objField(obj, 'status', 'status');
  const annotations = annotationsOf(obj);
  let restartPolicy = strField(spec, 'restartPolicy', 'spec.restartPolicy');
  if (annotations[IGNORE_RESTART_POLICY_ANNOTATION] === 'true' && !isHook(annotations))
    restartPolicy = 'Always';
  const phase = strField(status, 'phase', 'status.phase');
  const message = strField(status, 'message', 'status.message');
  const containers = readContainerStatuses(status, 'containerStatuses');

  if (restartPolicy === 'Always') {
    // Every container waiting on an error or a back-off, each message (even empty) joined.
    const stuck = containers.flatMap(({ waiting: w }) =>
      w !== undefined &&
      (w.reason.startsWith('Err') || w.reason.endsWith('Error') || w.reason.endsWith('BackOff'))
        ? [w.message]
        : [],
    );
    if (stuck.length > 0) return { status: 'Degraded', message: stuck.join(', ') };
  }

  switch (phase) {
    case 'Pending':
      return { status: 'Progressing', message };
    case 'Succeeded':
      return { status: 'Healthy', message };
    case 'Failed': {
      if (message !== '') return { status: 'Degraded', message };
      const all = [...readContainerStatuses(status, 'initContainerStatuses'), ...containers];
      for (const c of all) {
        const msg = failMessage(c);
        if (msg !== '') return { status: 'Degraded', message: msg };
      }
      return { status: 'Degraded', message: '' };
    }
    case 'Running':
      if (restartPolicy === 'Always') {
        const conditions = readConditions(
          arrField(status, 'conditions', 'status.conditions'),
          'status.conditions',
        );
        if (conditions.some((c) => c.type === 'Ready' && c.status === 'True'))
          return { status: 'Healthy', message };
        if (containers.some((c) => c.lastTerminated)) return { status: 'Degraded', message };
        return { status: 'Progressing', message };
      }
      if (restartPolicy === 'OnFailure' || restartPolicy === 'Never')
        return { status: 'Progressing', message };
      break;
  }
  return { status: 'Unknown', message };
}
