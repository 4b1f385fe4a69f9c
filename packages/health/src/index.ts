/**
 * @packageDocumentation
 * @gitops-kit/health: The health assessor: Argo CD built-in rules, kstatus conditions, custom checks and Lua scripts.
 */

/** The version of this package. */
export const VERSION = '0.1.0';
