import { GitOpsError } from '@gitops-kit/core';

/**
 * The machine's git (or a program git needs, such as ssh or the HTTPS helper) is missing or too old.
 * `missing` names it.
 */
export class NativeGitUnavailableError extends GitOpsError {
  /** The program that is missing or too old. */
  readonly missing: string;
  constructor(missing: string, message: string, options: { cause?: unknown } = {}) {
    super('UNSUPPORTED', message, { ...options, details: { missing } });
    this.missing = missing;
  }
}
