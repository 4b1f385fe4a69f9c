/**
 * @packageDocumentation
 * @gitops-kit/cluster: The cluster client: one small interface, over @kubernetes/client-node, speaking plain JSON.
 */

/** The version of this package. */
export const VERSION = '0.1.0';
