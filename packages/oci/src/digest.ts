import { createHash, type Hash } from 'node:crypto';
import { OciDigestMismatchError, OciFormatError } from './errors.js';
import { DIGEST_PATTERN } from './reference.js';

/** The `sha256:<hex>` digest of `bytes`, as the OCI specs name content. */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** The hash algorithm of a digest this package verifies (`sha256`, `sha512`); refuses others. */
function algorithmOf(digest: string, what: string): 'sha256' | 'sha512' {
  if (!DIGEST_PATTERN.test(digest)) {
    throw new OciFormatError('OCI_MANIFEST', `${what}: "${digest}" is not a sha256 or sha512 digest`);
  }
  return digest.startsWith('sha512:') ? 'sha512' : 'sha256';
}

/**
 * Hashes content as it streams and checks it against the digest it was asked by. `finish()` throws
 * an {@link OciDigestMismatchError} when the bytes differ (a corrupted or substituted blob) or when
 * their count is not the size the descriptor announced.
 */
export class DigestVerifier {
  private readonly hash: Hash;
  private readonly algorithm: 'sha256' | 'sha512';
  /** The bytes seen so far. */
  size = 0;

  constructor(
    readonly expected: string,
    private readonly what: string,
    private readonly expectedSize?: number,
  ) {
    this.algorithm = algorithmOf(expected, what);
    this.hash = createHash(this.algorithm);
  }

  /** Feeds the next bytes. */
  update(chunk: Uint8Array): void {
    this.size += chunk.length;
    this.hash.update(chunk);
  }

  /** Checks the whole: the digest, and the size when one was announced. */
  finish(): void {
    const actual = `${this.algorithm}:${this.hash.digest('hex')}`;
    if (actual !== this.expected) throw new OciDigestMismatchError(this.what, this.expected, actual);
    if (this.expectedSize !== undefined && this.size !== this.expectedSize) {
      throw new OciDigestMismatchError(
        `${this.what} (${this.size} bytes where the descriptor says ${this.expectedSize})`,
        this.expected,
        actual,
      );
    }
  }
}

/** Checks `bytes` against `expected` at once (a manifest, a config). */
export function verifyDigest(bytes: Uint8Array, expected: string, what: string, size?: number): void {
  const verifier = new DigestVerifier(expected, what, size);
  verifier.update(bytes);
  verifier.finish();
}
