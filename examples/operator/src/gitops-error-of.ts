import { GitOpsError } from '@gitops-kit/core';

/** `err` as a GitOpsError: itself, or an `INTERNAL` one with its message. */
export function asGitOpsError(err: unknown): GitOpsError {
  if (err instanceof GitOpsError) return err;
  return new GitOpsError('INTERNAL', err instanceof Error ? err.message : String(err));
}
