/**
 * @packageDocumentation
 * @gitops-kit/patch: Strategic merge patch, JSON merge patch and JSON patch with Kubernetes semantics, and the merge-key schema.
 */

/** The version of this package. */
export const VERSION = '0.1.0';
