import { ValidationError } from '@gitops-kit/core';

/**
 * What a git server may send before it is refused with a {@link GitLimitError}. A hostile or broken
 * server must not be able to exhaust memory: every answer is counted as it arrives.
 */
export interface GitLimits {
  /**
   * The largest object, inflated (a blob, a tree, the result of a delta), in bytes. Default 512 MiB
   * (git's own `core.bigFileThreshold`); at most 4 GiB − 1, the largest buffer Node holds.
   */
  maxObjectBytes: number;
  /** The largest pack one fetch may receive, in bytes (default 1 GiB). */
  maxPackBytes: number;
  /**
   * The most refs one listing may hold (default 100 000); the listing's answer is also refused
   * once it passes 1 KiB per allowed ref, before it is parsed.
   */
  maxRefs: number;
  /**
   * Bytes a fetch's answer may hold besides the pack: the lines before it (acknowledgments, shallow
   * info) and side-band progress and error messages (default 1 MiB).
   */
  maxSideBandBytes: number;
}

/** The default {@link GitLimits}. */
export const DEFAULT_GIT_LIMITS: Readonly<GitLimits> = Object.freeze({
  maxObjectBytes: 512 * 1024 * 1024,
  maxPackBytes: 1024 * 1024 * 1024,
  maxRefs: 100_000,
  maxSideBandBytes: 1024 * 1024,
});

/** Node's largest Buffer in the versions supported (20: 4 GiB); an object must fit in one. */
const LARGEST_OBJECT = 2 ** 32 - 1;

/** Bytes of a ref listing allowed per ref (a line per ref, and its peeled line, average far less). */
export const REF_LISTING_BYTES_PER_REF = 1024;

/** `limits` over the defaults; a value that is not a positive integer is refused. */
export function resolveGitLimits(limits: Partial<GitLimits> | undefined): GitLimits {
  const out: GitLimits = { ...DEFAULT_GIT_LIMITS };
  for (const [name, value] of Object.entries(limits ?? {})) {
    if (value === undefined) continue;
    if (!(name in DEFAULT_GIT_LIMITS))
      throw new ValidationError(`unknown git limit "${name}"`, { path: `limits.${name}` });
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0)
      throw new ValidationError(`git limit ${name} must be a positive integer, got ${String(value)}`, {
        path: `limits.${name}`,
      });
    out[name as keyof GitLimits] = value;
  }
  if (out.maxObjectBytes > LARGEST_OBJECT)
    throw new ValidationError(`git limit maxObjectBytes may be at most ${LARGEST_OBJECT} (4 GiB − 1)`, {
      path: 'limits.maxObjectBytes',
    });
  return out;
}
