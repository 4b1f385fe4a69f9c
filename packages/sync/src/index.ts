/**
 * @packageDocumentation
 * @gitops-kit/sync: The sync applier: plan, order, apply, prune, hooks, wait for health.
 */

/** The version of this package. */
export const VERSION = '0.1.0';
