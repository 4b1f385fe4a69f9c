import { GitOpsError, type GitOpsErrorCode, type GitOpsErrorOptions } from '@gitops-kit/core';

/** The stable reasons an OCI operation fails, on top of the core `code`. */
export type OciErrorReason =
  | 'OCI_REFERENCE'
  | 'OCI_HTTP'
  | 'OCI_AUTH'
  | 'OCI_DIGEST_MISMATCH'
  | 'OCI_MANIFEST'
  | 'OCI_LIMIT'
  | 'OCI_ARCHIVE'
  | 'OCI_NO_MATCHING_TAG';

/**
 * An OCI operation that failed. `ociCode` says why; `code` is the core family a caller can switch
 * on across packages. Messages name the registry, repository and reference, never a credential or
 * a token.
 */
export class OciError extends GitOpsError {
  /** Why the operation failed. */
  readonly ociCode: OciErrorReason;

  constructor(
    ociCode: OciErrorReason,
    code: GitOpsErrorCode,
    message: string,
    options: GitOpsErrorOptions = {},
  ) {
    super(code, message, options);
    this.ociCode = ociCode;
  }
}

/** What went wrong in an exchange with the registry, by HTTP status. */
function codeOfStatus(status: number): GitOpsErrorCode {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'TOO_MANY_REQUESTS';
  if (status >= 500) return 'SERVER_ERROR';
  return 'INVALID';
}

/**
 * The registry answered with an unexpected status. `status` is the HTTP status and
 * `registryCodes` the distribution error codes of its JSON body (`MANIFEST_UNKNOWN`,
 * `BLOB_UNKNOWN`, `DENIED`, …), when it sent any.
 */
export class OciHttpError extends OciError {
  /** The HTTP status. */
  readonly status: number;
  /** The distribution error codes of the answer's body. */
  readonly registryCodes: readonly string[];

  constructor(
    what: string,
    status: number,
    registryCodes: readonly string[],
    options: GitOpsErrorOptions = {},
  ) {
    const codes = registryCodes.length > 0 ? ` (${registryCodes.join(', ')})` : '';
    super('OCI_HTTP', codeOfStatus(status), `${what}: the registry answered ${status}${codes}`, {
      ...options,
      details: { ...options.details, status, registryCodes: [...registryCodes] },
    });
    this.status = status;
    this.registryCodes = registryCodes;
  }
}

/** Authentication failed: the token service refused the credentials, or the challenge was unusable. */
export class OciAuthError extends OciError {
  constructor(message: string, options: GitOpsErrorOptions = {}) {
    super('OCI_AUTH', 'UNAUTHORIZED', message, options);
  }
}

/**
 * Content whose digest is not the one it was asked by: a corrupted or substituted blob or
 * manifest. Never retried, never used.
 */
export class OciDigestMismatchError extends OciError {
  /** The digest that was asked for. */
  readonly expected: string;
  /** The digest of what arrived. */
  readonly actual: string;

  constructor(what: string, expected: string, actual: string, options: GitOpsErrorOptions = {}) {
    super('OCI_DIGEST_MISMATCH', 'INVALID', `${what}: content has digest ${actual}, expected ${expected}`, {
      ...options,
      details: { ...options.details, expected, actual },
    });
    this.expected = expected;
    this.actual = actual;
  }
}

/** A manifest, reference or artifact that is malformed or not of the expected kind. */
export class OciFormatError extends OciError {
  constructor(
    ociCode: 'OCI_REFERENCE' | 'OCI_MANIFEST' | 'OCI_ARCHIVE',
    message: string,
    options: GitOpsErrorOptions = {},
  ) {
    super(ociCode, ociCode === 'OCI_REFERENCE' ? 'VALIDATION_ERROR' : 'PARSE_ERROR', message, options);
  }
}

/** Something over a size or count limit: a manifest, a blob, an archive's bytes or entries. */
export class OciLimitError extends OciError {
  constructor(message: string, limit: number, options: GitOpsErrorOptions = {}) {
    super('OCI_LIMIT', 'LIMIT_EXCEEDED', message, { ...options, details: { ...options.details, limit } });
  }
}

/** No tag of the repository satisfies the semver range asked for. */
export class OciNoMatchingTagError extends OciError {
  constructor(range: string, options: GitOpsErrorOptions = {}) {
    super('OCI_NO_MATCHING_TAG', 'NOT_FOUND', `no tag matches the semver range "${range}"`, options);
  }
}
