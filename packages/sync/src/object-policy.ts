import type { KubeObject } from '@gitops-kit/core';
import { type HookInfo, readHookInfo, readSyncWave } from './hooks.js';
import { type ObjectSyncOptions, readSyncOptions } from './sync-options.js';
import { type TrackingMethod, trackedAppOf } from './tracking.js';

/**
 * What planning reads from one object's metadata, read once: how it takes part in a sync (hook),
 * its wave, its sync options and, for a live object, the app that tracks it.
 */
export interface ObjectPolicy {
  /** Resource, hook (with phases and delete policies) or skipped. */
  hook: HookInfo;
  /** Sync wave (default 0). */
  wave: number;
  /** Per-object sync options. */
  syncOptions: ObjectSyncOptions;
  /** The app the object's tracking id names under the method asked for; undefined otherwise. */
  trackedApp?: string | undefined;
}

/**
 * Reads the policy of an object of the desired state. A malformed hook, wave or sync-options
 * annotation is a ValidationError naming the annotation: the plan refuses the object.
 */
export function readObjectPolicy(obj: KubeObject, tracking?: TrackingMethod): ObjectPolicy {
  return {
    hook: readHookInfo(obj),
    wave: readSyncWave(obj),
    syncOptions: readSyncOptions(obj),
    trackedApp: tracking === undefined ? undefined : trackedAppOf(obj, tracking),
  };
}

const UNREADABLE_HOOK: HookInfo = { kind: 'skip', reason: 'its hook annotations cannot be read' };

/**
 * Reads the policy of a live object of `app` that pruning or a failed render considers; undefined
 * when the object's tracking id names no app or another (its annotations are none of our business).
 * A live object's annotations may be anything: a malformed hook annotation reads as a skipped hook
 * (never pruned) and a malformed wave as 0. Malformed sync options still throw, because they may
 * be the `Prune=false` that protects the object.
 */
export function readLiveObjectPolicy(
  obj: KubeObject,
  tracking: TrackingMethod,
  app: string,
): ObjectPolicy | undefined {
  const trackedApp = trackedAppOf(obj, tracking);
  if (trackedApp !== app) return undefined;
  let hook: HookInfo;
  try {
    hook = readHookInfo(obj);
  } catch {
    hook = UNREADABLE_HOOK;
  }
  let wave: number;
  try {
    wave = readSyncWave(obj);
  } catch {
    wave = 0;
  }
  return { hook, wave, syncOptions: readSyncOptions(obj), trackedApp };
}
