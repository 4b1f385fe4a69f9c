import { GitOpsError, SecurityError } from '@gitops-kit/core';

/** A request without valid credentials: no token, or one the API server does not accept (401). */
export class AuthenticationError extends SecurityError {
  constructor(message: string) {
    super(message, { code: 'UNAUTHORIZED' });
  }
}

/** An authenticated user the cluster's RBAC does not allow the request (403). */
export class AuthorizationError extends SecurityError {
  constructor(message: string) {
    super(message, { code: 'FORBIDDEN' });
  }
}

/**
 * The API server could not review a token or an access (unreachable, or refusing the operator's
 * own reviews): the request is refused, never let through (503).
 */
export class ReviewUnavailableError extends GitOpsError {
  constructor(message: string, cause: unknown) {
    super('SERVER_ERROR', message, { cause });
  }
}
