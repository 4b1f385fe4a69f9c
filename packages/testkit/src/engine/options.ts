import type { JsonObject } from '@gitops-kit/core';
import type { Scope } from '../ssa.js';

// The options of the engine's operations and the events it stores, as the HTTP layer and the
// simulated controllers pass and read them.

/** `fieldValidation` of a write. */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** Options of every write. */
export interface WriteOptions {
  /** The field manager recorded in `managedFields`. */
  manager?: string | undefined;
  /** Validate and answer without storing (`dryRun=All`). */
  dryRun?: boolean | undefined;
  /** What to do with unknown fields. */
  fieldValidation?: FieldValidation | undefined;
  /** Collects warnings for the `Warning` response header. */
  warnings?: string[] | undefined;
  /** Which part of the object the write touches. */
  scope?: Scope | undefined;
}

/** A stored change, as watchers see it. */
export interface StoredEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  rv: number;
  storageKey: string;
  namespace: string;
  object: JsonObject;
  previous: JsonObject | undefined;
}

/** Options of a list. */
export interface ListOptions {
  labelSelector?: string | null | undefined;
  fieldSelector?: string | null | undefined;
  limit?: number | undefined;
  continueToken?: string | null | undefined;
  /**
   * Items are shallow copies sharing the stored objects' values, for a caller that only
   * serializes them at once (the HTTP answer): no deep copy of each object. Default false.
   */
  shallow?: boolean | undefined;
}

/** Delete options. */
export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan' | undefined;
  preconditions?: { uid?: string; resourceVersion?: string } | undefined;
  dryRun?: boolean | undefined;
}

/** Engine settings. */
export interface EngineOptions {
  /** How many past events watches can resume from before answering 410 Gone. */
  watchHistory?: number | undefined;
}

/** The answer of a list: one page, the resourceVersion it was read at, and how to get the next. */
export interface ListResult {
  items: JsonObject[];
  resourceVersion: string;
  continueToken?: string;
  remaining?: number;
}
