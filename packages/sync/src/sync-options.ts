import { type KubeObject, ValidationError } from '@gitops-kit/core';
import {
  DELETION_LIFECYCLE_ANNOTATION,
  GITOPS_KIT_SYNC_OPTIONS_ANNOTATION,
  SYNC_OPTIONS_ANNOTATION,
} from './annotations.js';

/** Per-object sync options read from the sync-options annotations. Absent means "not set". */
export interface ObjectSyncOptions {
  /** `Prune=false`: never pruned. `Prune=confirm` is treated as false (no confirmation flow). */
  prune?: boolean;
  /** `Delete=false`: never deleted (not by prune, not by a recreate). */
  delete?: boolean;
  /** `Replace=true`: written with replace (PUT / create) instead of apply. */
  replace?: boolean;
  /** `ServerSideApply=true|false`: overrides the sync's apply mode for this object. */
  serverSideApply?: boolean;
  /** `Force=true`: recreate when an immutable field changed. */
  force?: boolean;
  /** `SkipDryRunOnMissingResource=true`: skip the dry run when the kind is not served yet. */
  skipDryRunOnMissingResource?: boolean;
  /** `client.lifecycle.config.k8s.io/deletion: detach`: left in the cluster when pruned. */
  detach?: boolean;
}

function parseBool(value: string, option: string, annotation: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false' || v === 'confirm') return false;
  throw new ValidationError(`sync option "${option}=${value}" must be true or false`, {
    path: `metadata.annotations.${annotation}`,
  });
}

/**
 * Reads an object's sync options (Argo CD's `argocd.argoproj.io/sync-options` syntax, from that
 * annotation and from `gitops-kit.dev/sync-options`) and the kpt deletion lifecycle annotation.
 * Unknown options are ignored, as Argo CD does; a known option with a bad value is a ValidationError.
 */
export function readSyncOptions(obj: KubeObject | undefined): ObjectSyncOptions {
  const out: ObjectSyncOptions = {};
  const annotations = obj?.metadata?.annotations ?? {};
  for (const annotation of [SYNC_OPTIONS_ANNOTATION, GITOPS_KIT_SYNC_OPTIONS_ANNOTATION]) {
    const text = annotations[annotation];
    if (typeof text !== 'string') continue;
    for (const item of text.split(',')) {
      const entry = item.trim();
      if (entry === '') continue;
      const eq = entry.indexOf('=');
      if (eq < 0) continue;
      const name = entry.slice(0, eq).trim();
      const value = entry.slice(eq + 1);
      switch (name) {
        case 'Prune':
          out.prune = parseBool(value, name, annotation);
          break;
        case 'Delete':
          out.delete = parseBool(value, name, annotation);
          break;
        case 'Replace':
          out.replace = parseBool(value, name, annotation);
          break;
        case 'ServerSideApply':
          out.serverSideApply = parseBool(value, name, annotation);
          break;
        case 'Force':
          out.force = parseBool(value, name, annotation);
          break;
        case 'SkipDryRunOnMissingResource':
          out.skipDryRunOnMissingResource = parseBool(value, name, annotation);
          break;
        default:
          break;
      }
    }
  }
  if (annotations[DELETION_LIFECYCLE_ANNOTATION]?.trim() === 'detach') out.detach = true;
  return out;
}
