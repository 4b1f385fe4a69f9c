import { type KubeObject, ValidationError } from '@gitops-kit/core';
import {
  ARGOCD_SYNC_WAVE_ANNOTATION,
  HELM_HOOK_ANNOTATION,
  HELM_HOOK_DELETE_POLICY_ANNOTATION,
  HELM_HOOK_WEIGHT_ANNOTATION,
  HOOK_ANNOTATION,
  HOOK_DELETE_POLICY_ANNOTATION,
  SYNC_WAVE_ANNOTATION,
} from './annotations.js';

/** The phases of a sync, in the order they run (SyncFail only when the sync failed). */
export type SyncPhase = 'PreSync' | 'Sync' | 'PostSync' | 'SyncFail';

/** Every {@link SyncPhase} in running order. */
export const SYNC_PHASES: readonly SyncPhase[] = Object.freeze(['PreSync', 'Sync', 'PostSync', 'SyncFail']);

/** When a hook object is deleted. */
export type HookDeletePolicy = 'BeforeHookCreation' | 'HookSucceeded' | 'HookFailed';

/** How an object takes part in a sync according to its hook annotations. */
export type HookInfo =
  | { kind: 'resource' }
  | { kind: 'skip'; reason: string }
  | { kind: 'hook'; phases: SyncPhase[]; deletePolicies: HookDeletePolicy[] };

const HELM_PHASES: Record<string, SyncPhase> = {
  'pre-install': 'PreSync',
  'pre-upgrade': 'PreSync',
  'post-install': 'PostSync',
  'post-upgrade': 'PostSync',
};

const HELM_POLICIES: Record<string, HookDeletePolicy> = {
  'before-hook-creation': 'BeforeHookCreation',
  'hook-succeeded': 'HookSucceeded',
  'hook-failed': 'HookFailed',
};

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * Reads an object's hook annotations. Argo CD's `argocd.argoproj.io/hook` wins over Helm's
 * `helm.sh/hook`; Helm hooks map as Argo CD maps them (pre-install/pre-upgrade → PreSync,
 * post-install/post-upgrade → PostSync; `crd-install` is not a hook; other Helm hooks, such as
 * `test` or `pre-delete`, are not run by a sync and are skipped). The delete policy defaults to
 * BeforeHookCreation.
 */
export function readHookInfo(obj: KubeObject): HookInfo {
  const annotations = obj.metadata?.annotations ?? {};
  const argo = annotations[HOOK_ANNOTATION];
  const helm = annotations[HELM_HOOK_ANNOTATION];
  let phases: SyncPhase[] = [];
  if (typeof argo === 'string') {
    const values = splitList(argo);
    if (values.includes('Skip')) return { kind: 'skip', reason: `annotated ${HOOK_ANNOTATION}: Skip` };
    for (const v of values) {
      if (v === 'PreSync' || v === 'Sync' || v === 'PostSync' || v === 'SyncFail') phases.push(v);
      else if (v === 'PostDelete')
        return { kind: 'skip', reason: 'PostDelete hooks run when the app is deleted, not on sync' };
      else
        throw new ValidationError(`unknown hook phase "${v}"`, {
          path: `metadata.annotations.${HOOK_ANNOTATION}`,
        });
    }
    if (phases.length === 0) return { kind: 'resource' };
  } else if (typeof helm === 'string') {
    const values = splitList(helm);
    if (values.length === 0 || (values.length === 1 && values[0] === 'crd-install'))
      return { kind: 'resource' };
    phases = [...new Set(values.map((v) => HELM_PHASES[v]).filter((p): p is SyncPhase => p !== undefined))];
    if (phases.length === 0) return { kind: 'skip', reason: `Helm hook "${helm}" is not run by a sync` };
  } else {
    return { kind: 'resource' };
  }
  const policies = new Set<HookDeletePolicy>();
  const argoPolicy = annotations[HOOK_DELETE_POLICY_ANNOTATION];
  const helmPolicy = annotations[HELM_HOOK_DELETE_POLICY_ANNOTATION];
  if (typeof argoPolicy === 'string') {
    for (const p of splitList(argoPolicy)) {
      if (p === 'BeforeHookCreation' || p === 'HookSucceeded' || p === 'HookFailed') policies.add(p);
      else
        throw new ValidationError(`unknown hook delete policy "${p}"`, {
          path: `metadata.annotations.${HOOK_DELETE_POLICY_ANNOTATION}`,
        });
    }
  }
  if (typeof helmPolicy === 'string') {
    for (const p of splitList(helmPolicy)) {
      const mapped = HELM_POLICIES[p];
      if (mapped) policies.add(mapped);
    }
  }
  if (policies.size === 0) policies.add('BeforeHookCreation');
  return { kind: 'hook', phases: [...new Set(phases)], deletePolicies: [...policies] };
}

function parseWave(text: string, annotation: string): number {
  const t = text.trim();
  if (!/^[+-]?\d+$/.test(t) || !Number.isSafeInteger(Number(t))) {
    throw new ValidationError(`sync wave "${text}" is not an integer`, {
      path: `metadata.annotations.${annotation}`,
    });
  }
  return Number(t);
}

/**
 * The sync wave of an object: `gitops-kit.dev/sync-wave`, else `argocd.argoproj.io/sync-wave`,
 * else (for Helm hooks) `helm.sh/hook-weight`, else 0. A wave that is not an integer is a
 * ValidationError naming the annotation.
 */
export function readSyncWave(obj: KubeObject): number {
  const annotations = obj.metadata?.annotations ?? {};
  for (const annotation of [SYNC_WAVE_ANNOTATION, ARGOCD_SYNC_WAVE_ANNOTATION]) {
    const v = annotations[annotation];
    if (typeof v === 'string') return parseWave(v, annotation);
  }
  const weight = annotations[HELM_HOOK_WEIGHT_ANNOTATION];
  if (typeof weight === 'string' && typeof annotations[HELM_HOOK_ANNOTATION] === 'string')
    return parseWave(weight, HELM_HOOK_WEIGHT_ANNOTATION);
  return 0;
}
