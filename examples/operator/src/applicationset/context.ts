import type { ReadonlyFileSystem } from '@gitops-kit/core';

/** A registered destination cluster, as the cluster generator sees it (never its credentials). */
export interface ClusterInfo {
  /** The cluster's name. */
  name: string;
  /** Its API server URL. */
  server: string;
  /** Labels of the Secret that registers it. */
  labels?: Readonly<Record<string, string>>;
  /** Annotations of that Secret. */
  annotations?: Readonly<Record<string, string>>;
  /** The Secret's `project` key, if any. */
  project?: string;
}

/** Size limits of generation; every generator stops with a ValidationError beyond them. */
export interface GeneratorLimits {
  /** Parameter sets of the whole ApplicationSet (default 10,000). */
  maxParamSets: number;
  /** Directories a git generator walks in one repository (default 10,000). */
  maxDirectories: number;
  /** Files a git file generator reads (default 1,000). */
  maxFiles: number;
  /** Size of one file a git file generator reads (default 1 MiB). */
  maxFileBytes: number;
}

/** The default {@link GeneratorLimits}. */
export const DEFAULT_GENERATOR_LIMITS: GeneratorLimits = {
  maxParamSets: 10_000,
  maxDirectories: 10_000,
  maxFiles: 1_000,
  maxFileBytes: 1024 * 1024,
};

/** What generators read: the registered clusters and repositories' trees. Supplied by the caller. */
export interface GeneratorContext {
  /** Registered destination clusters, without the local one (the cluster generator adds it). */
  clusters?: readonly ClusterInfo[];
  /**
   * The tree of a repository at a revision, rooted at `/` (e.g. `treeFileSystem` of
   * `@gitops-kit/git` over a fetched commit, or a memfs in tests).
   */
  openRepository?: (repoURL: string, revision: string) => Promise<ReadonlyFileSystem>;
  /** Limits (defaults: {@link DEFAULT_GENERATOR_LIMITS}). */
  limits?: Partial<GeneratorLimits>;
}
