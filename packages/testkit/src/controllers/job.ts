import type { JsonObject } from '@gitops-kit/core';
import { containersOf, meta, now, obj } from './objects.js';
import type { ControllerRuntime } from './runtime.js';

/**
 * The Job controller: a Job starts, then after `jobDurationMs` completes, or fails when annotated
 * `testkit.gitops-kit.io/fail: "true"` or when an image cannot be pulled.
 */
export function syncJob(rt: ControllerRuntime, ns: string, name: string): void {
  const type = rt.type('batch', 'v1', 'Job');
  const job = rt.engine.get(type, ns, name);
  if (!job || meta(job).deletionTimestamp) return;
  const spec = obj(job.spec);
  const status = obj(job.status);
  if (spec.suspend === true || status.startTime || Array.isArray(status.conditions)) return;
  const start = now();
  rt.writeStatus(type, job, {
    startTime: start,
    active: 1,
    ready: 0,
    terminating: 0,
    uncountedTerminatedPods: {},
  });
  rt.later(rt.options.jobDurationMs, () => {
    const cur = rt.engine.get(type, ns, name);
    if (!cur) return;
    const podSpec = obj(obj(spec.template).spec);
    const fails =
      obj(meta(cur).annotations)['testkit.gitops-kit.io/fail'] === 'true' ||
      containersOf(podSpec).some((c) => !rt.options.isImagePullable(String(c.image ?? '')));
    const t = now();
    const cond = (type: string, reason: string, message: string): JsonObject => ({
      type,
      status: 'True',
      lastProbeTime: t,
      lastTransitionTime: t,
      reason,
      message,
    });
    if (fails) {
      rt.recordEvent(
        cur,
        'Warning',
        'BackoffLimitExceeded',
        'Job has reached the specified backoff limit',
        'job-controller',
      );
      const backoff = typeof spec.backoffLimit === 'number' ? spec.backoffLimit : 6;
      rt.writeStatus(type, cur, {
        startTime: start,
        failed: backoff + 1,
        ready: 0,
        terminating: 0,
        uncountedTerminatedPods: {},
        conditions: [
          cond('FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'),
          cond('Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'),
        ],
      });
    } else {
      rt.recordEvent(cur, 'Normal', 'Completed', 'Job completed', 'job-controller');
      rt.writeStatus(type, cur, {
        startTime: start,
        completionTime: t,
        succeeded: typeof spec.completions === 'number' ? spec.completions : 1,
        ready: 0,
        terminating: 0,
        uncountedTerminatedPods: {},
        conditions: [
          cond('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods'),
          cond('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods'),
        ],
      });
    }
  });
}
