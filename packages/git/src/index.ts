/**
 * @packageDocumentation
 * @gitops-kit/git: The Git source fetcher: isomorphic-git over HTTP(S), memfs or disk, refs, caching, auth.
 */

/** The version of this package. */
export const VERSION = '0.1.0';
