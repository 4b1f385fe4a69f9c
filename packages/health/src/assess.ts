import type { KubeObject } from '@gitops-kit/core';
import { applicationHealth, isApplicationKind } from './application-health.js';
import { HealthCheckFailure } from './builtin/check-error.js';
import { builtinHealthCheck } from './builtin/dispatch.js';
import type { HealthCheckRegistry } from './custom-checks.js';
import { FieldTypeError, groupOf, type Obj, versionOf } from './fields.js';
import { genericHealth } from './generic-health.js';
import { type HealthStatus, isHealthStatusCode } from './health-status.js';
import type { LuaHealthEngine } from './lua-engine.js';

/** The finalizer Argo CD puts on hooks; a hook being deleted keeps its real health. */
export const HOOK_FINALIZER = 'argocd.argoproj.io/hook-finalizer';

/** Options of {@link assessHealth}. */
export interface AssessHealthOptions {
  /** TypeScript checks of the embedding program, consulted first. */
  checks?: HealthCheckRegistry;
  /** Lua scripts (overrides, then built-in scripts), consulted after the TypeScript checks. */
  lua?: LuaHealthEngine;
  /** Assess custom resources with no check from their common conditions (default false). */
  genericFallback?: boolean;
  /**
   * Assess Argo CD's `argoproj.io` Application from its reported health, as gitops-kit's own
   * Application always is (app-of-apps: a parent waits for its children). Default false, as in
   * Argo CD, where this takes an opt-in customization.
   */
  argoApplications?: boolean;
}

function describe(err: unknown, kind = 'object'): string {
  if (err instanceof FieldTypeError) return `failed to convert unstructured ${kind} to typed: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}

function isBeingDeleted(obj: Obj): boolean {
  const meta = obj.metadata;
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) return false;
  const m = meta as Obj;
  if (m.deletionTimestamp === undefined || m.deletionTimestamp === null) return false;
  const finalizers = m.finalizers;
  return !(Array.isArray(finalizers) && finalizers.includes(HOOK_FINALIZER));
}

function checked(result: unknown, origin: string): HealthStatus | undefined {
  if (result === undefined || result === null) return undefined;
  const r = result as Partial<HealthStatus>;
  if (typeof r !== 'object' || !isHealthStatusCode(r.status)) {
    return { status: 'Unknown', message: `${origin} returned an invalid health status` };
  }
  const out: HealthStatus = { status: r.status, message: typeof r.message === 'string' ? r.message : '' };
  if (isHealthStatusCode(r.aggregateAs)) out.aggregateAs = r.aggregateAs;
  return out;
}

/**
 * The health of a live object, following Argo CD: an object being deleted is Progressing
 * ("Pending deletion"); otherwise the first check that applies decides, in this order: the
 * embedding program's TypeScript checks, Lua scripts (overrides, then built-in scripts), Argo
 * CD's built-in rules (Deployment, StatefulSet, DaemonSet, ReplicaSet, Pod, Service, Ingress,
 * PersistentVolumeClaim, Job, APIService, HorizontalPodAutoscaler, Argo Workflow), the
 * app-of-apps rule for Applications ({@link applicationHealth}), and, when enabled, the generic
 * condition rule. Returns undefined when no check applies.
 *
 * Never throws: a check that fails, or an object with fields of the wrong type, yields Unknown
 * with a message saying why.
 */
export function assessHealth(obj: KubeObject, options: AssessHealthOptions = {}): HealthStatus | undefined {
  let kind = 'object';
  try {
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      return { status: 'Unknown', message: 'not a Kubernetes object' };
    }
    const o = obj as unknown as Obj;
    if (isBeingDeleted(o)) return { status: 'Progressing', message: 'Pending deletion' };
    const group = groupOf(o.apiVersion);
    const version = versionOf(o.apiVersion);
    kind = typeof o.kind === 'string' ? o.kind : '';

    const custom = options.checks?.find(group, kind);
    if (custom !== undefined) {
      try {
        const result = checked(custom(obj), 'health check');
        if (result !== undefined) return result;
      } catch (err) {
        return { status: 'Unknown', message: describe(err, kind) };
      }
    }

    const lua = options.lua?.assess(obj, group, kind);
    if (lua !== undefined) return lua;

    const builtin = builtinHealthCheck(group, kind);
    if (builtin !== undefined) return builtin(o, version);
    if (isApplicationKind(group, kind, options.argoApplications === true)) return applicationHealth(o);

    if (options.genericFallback === true) return genericHealth(o);
    return undefined;
  } catch (err) {
    if (err instanceof FieldTypeError || err instanceof HealthCheckFailure) {
      return { status: 'Unknown', message: describe(err, kind) };
    }
    return { status: 'Unknown', message: `health assessment failed: ${describe(err, kind)}` };
  }
}

/**
 * True when some check would assess objects of this group and kind (a TypeScript check, a Lua
 * script, a built-in rule, or the generic rule when enabled).
 */
export function hasHealthCheck(group: string, kind: string, options: AssessHealthOptions = {}): boolean {
  return (
    options.checks?.find(group, kind) !== undefined ||
    options.lua?.find(group, kind) !== undefined ||
    builtinHealthCheck(group, kind) !== undefined ||
    isApplicationKind(group, kind, options.argoApplications === true) ||
    options.genericFallback === true
  );
}
