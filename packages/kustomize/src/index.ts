/**
 * @packageDocumentation
 * @gitops-kit/kustomize: A kustomize-compatible renderer: `kustomize build` output, byte for byte, in process.
 */

/** The version of this package. */
export const VERSION = '0.1.0';
