/**
 * @packageDocumentation
 * @gitops-kit/testkit: An in-memory Kubernetes API server with real semantics served over HTTP, and a git server for tests.
 */

/** The version of this package. */
export const VERSION = '0.1.0';
