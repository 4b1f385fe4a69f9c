/**
 * @packageDocumentation
 * @gitops-kit/diff: The three-way diff engine: desired, live and last-applied; normalisation, ignore rules, masked Secrets.
 */

/** The version of this package. */
export const VERSION = '0.1.0';
