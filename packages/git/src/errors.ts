import { GitOpsError, type GitOpsErrorOptions, NotFoundError, SecurityError } from '@gitops-kit/core';

/**
 * The server refused the credentials (wrong, or none when some are required). The message names
 * the redacted URL and never a password or token.
 */
export class GitAuthError extends SecurityError {
  /** The HTTP status the server answered (401 or 403). */
  readonly status: number;
  constructor(message: string, status: number, options: GitOpsErrorOptions = {}) {
    super(message, { ...options, code: status === 403 ? 'FORBIDDEN' : 'UNAUTHORIZED' });
    this.status = status;
  }
}

/** A repository, ref, tag, commit or path that does not exist. */
export class GitNotFoundError extends NotFoundError {
  /** What was not found. */
  readonly kind: 'repository' | 'ref' | 'commit' | 'object';
  constructor(kind: GitNotFoundError['kind'], message: string, options: GitOpsErrorOptions = {}) {
    super(message, options);
    this.kind = kind;
  }
}

/** The server could not be reached, or the connection failed, after every retry. */
export class GitNetworkError extends GitOpsError {
  constructor(message: string, options: GitOpsErrorOptions = {}) {
    super('NETWORK_ERROR', message, options);
  }
}

/** The server answered something that is not valid git smart-HTTP, or a corrupt pack. */
export class GitProtocolError extends GitOpsError {
  constructor(message: string, options: GitOpsErrorOptions = {}) {
    super('SERVER_ERROR', message, options);
  }
}
