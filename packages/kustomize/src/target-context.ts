import type { ReadonlyFileSystem } from '@gitops-kit/core';
import type { InputBudget } from './input-budget.js';
import type { KyamlSchemaChoice } from './kyaml-schema.js';
import type { RenderWarning } from './render-warning.js';
import type { VarDef } from './replacements.js';
import type { Resource } from './resource.js';
import type { TargetFiles } from './target-files.js';
import { emptyTransformerConfig, type TransformerConfig } from './transformer-config.js';
import type { TransformContext } from './transformers.js';

/** What a remote loader returns for a git URL: a file system, the path in it, and the revision. */
export interface RemoteTarget {
  fs: ReadonlyFileSystem;
  path: string;
  revision: string;
}

/** Fetches a remote (git URL) resource; without one, git URLs are an error. */
export type RemoteLoader = (url: string) => Promise<RemoteTarget>;

/** Options of a render. */
export interface TargetOptions {
  loadRestrictor: 'RootOnly' | 'None';
  remoteLoader?: RemoteLoader | undefined;
  enableHelm: boolean;
  helmCommand: string;
  enableAlphaPlugins: boolean;
  maxFileBytes: number;
  /** Counts the bytes the render reads against `maxInputBytes` (none: no limit). */
  inputBudget?: InputBudget | undefined;
  /** Shown in file names of sources and errors: paths are made relative to this directory. */
  displayRoot: string;
}

/** Resources and bookkeeping accumulated while rendering a kustomization tree. */
export interface Accumulator {
  resources: Resource[];
  vars: VarDef[];
  config: TransformerConfig;
}

/** A fresh accumulator; each kustomization merges its configuration in (defaults included). */
export function newAccumulator(): Accumulator {
  return { resources: [], vars: [], config: emptyTransformerConfig() };
}

/** What kind of kustomization a directory must hold. */
export type TargetKind = 'Kustomization' | 'Component';

/**
 * What the parts of a render (generators, patches, plugin configurations, remote resources) share
 * with the target that runs them: its files, its options and state, and the ways back into it.
 */
export interface TargetContext {
  readonly fs: ReadonlyFileSystem;
  readonly options: TargetOptions;
  /** The target's files, read as kustomize's loader reads them. */
  readonly files: TargetFiles;
  /** Which kinds are cluster-scoped (learnt from CRDs on the way). */
  readonly ctx: TransformContext;
  /** The schema strategic merges use: the built-in kinds, or a custom `openapi.path` schema. */
  readonly schemaChoice: KyamlSchemaChoice;
  /** The render's warnings so far. */
  readonly warnings: RenderWarning[];
  /** Appends resources, refusing an id that is already there. */
  append(acc: Accumulator, list: readonly Resource[]): void;
  /** Appends a sub-kustomization's resources, vars and configuration. */
  mergeSub(acc: Accumulator, sub: Accumulator): void;
  /** Accumulates the kustomization (or component) in `dir` into `acc`. */
  accumulate(dir: string, acc: Accumulator, expect: TargetKind): Promise<Accumulator>;
  /** A target for a remote resource's file system, its paths shown relative to `displayRoot`. */
  remoteTarget(fs: ReadonlyFileSystem, displayRoot: string): TargetContext;
}
