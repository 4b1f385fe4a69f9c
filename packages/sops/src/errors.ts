import { GitOpsError, type GitOpsErrorOptions } from '@gitops-kit/core';

/** The stable reasons a SOPS document fails to decrypt. */
export type SopsErrorReason =
  | 'SOPS_FORMAT'
  | 'SOPS_NO_KEY'
  | 'SOPS_VALUE_DECRYPT'
  | 'SOPS_MAC_MISMATCH'
  | 'SOPS_UNSUPPORTED';

const CODE_OF: Record<SopsErrorReason, 'PARSE_ERROR' | 'UNAUTHORIZED' | 'INVALID' | 'UNSUPPORTED'> = {
  SOPS_FORMAT: 'PARSE_ERROR',
  SOPS_NO_KEY: 'UNAUTHORIZED',
  SOPS_VALUE_DECRYPT: 'INVALID',
  SOPS_MAC_MISMATCH: 'INVALID',
  SOPS_UNSUPPORTED: 'UNSUPPORTED',
};

/**
 * A SOPS document that could not be decrypted. The message names the file and the field path,
 * never a value (encrypted or decrypted); `sopsCode` says why.
 */
export class SopsError extends GitOpsError {
  /** Why the document could not be decrypted. */
  readonly sopsCode: SopsErrorReason;

  constructor(sopsCode: SopsErrorReason, message: string, options: GitOpsErrorOptions = {}) {
    super(CODE_OF[sopsCode], message, options);
    this.sopsCode = sopsCode;
  }
}

/** The document's metadata is malformed, or the document is not a SOPS document. */
export class SopsFormatError extends SopsError {
  constructor(message: string, options: GitOpsErrorOptions = {}) {
    super('SOPS_FORMAT', message, options);
  }
}

/** No given key unwraps the data key; `recipients` lists those that could have. */
export class SopsNoKeyError extends SopsError {
  /** The recipients (age public keys, PGP fingerprints) the data key is wrapped for. */
  readonly recipients: readonly string[];

  constructor(recipients: readonly string[], options: GitOpsErrorOptions & { note?: string } = {}) {
    const { note, ...rest } = options;
    super(
      'SOPS_NO_KEY',
      `no given key decrypts the data key${note ? ` (${note})` : ''}; it is wrapped for: ${recipients.join(', ') || '(no recipient)'}`,
      { ...rest, details: { recipients: [...recipients] } },
    );
    this.recipients = recipients;
  }
}

/** A value's ciphertext does not authenticate (tampered, or encrypted with another data key). */
export class SopsValueError extends SopsError {
  constructor(message: string, options: GitOpsErrorOptions = {}) {
    super('SOPS_VALUE_DECRYPT', message, options);
  }
}

/** The MAC over the document's values does not match: the document was altered after encryption. */
export class SopsMacMismatchError extends SopsError {
  constructor(options: GitOpsErrorOptions = {}) {
    super(
      'SOPS_MAC_MISMATCH',
      'the MAC does not match the values: the file was altered after encryption',
      options,
    );
  }
}
