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

/** Which of {@link GitLimits} an answer went over. */
export type GitLimitName = 'maxObjectBytes' | 'maxPackBytes' | 'maxRefs' | 'maxSideBandBytes';

/**
 * A server's answer went over one of the {@link GitLimits}: an object, the pack, the ref listing or
 * the side-band data before the pack was larger than allowed. Refused while it arrives, before it
 * is held in memory. The message names the URL, the limit and the option that raises it.
 */
export class GitLimitError extends GitOpsError {
  /** The limit that was exceeded. */
  readonly limit: GitLimitName;
  /** The limit's value. */
  readonly max: number;
  constructor(limit: GitLimitName, max: number, message: string, options: GitOpsErrorOptions = {}) {
    super('LIMIT_EXCEEDED', message, { ...options, details: { limit, max, ...options.details } });
    this.limit = limit;
    this.max = max;
  }
}

/**
 * `err` with the repository URL at the start of its message, when a lower layer (the pack reader,
 * the pkt-line parser) threw it without one: a protocol or limit error is only actionable with the
 * URL of the server that answered so.
 */
export function withRepositoryUrl(err: unknown, url: string): unknown {
  if (!(err instanceof GitProtocolError || err instanceof GitLimitError) || err.message.includes(url))
    return err;
  const message = `${url}: ${err.reason}`;
  if (err instanceof GitLimitError)
    return new GitLimitError(err.limit, err.max, message, { cause: err, details: err.details });
  return new GitProtocolError(message, { cause: err, details: err.details });
}
