import type { RegistryCredentials } from './auth.js';
import { DigestVerifier, sha256Digest, verifyDigest } from './digest.js';
import { OciFormatError, OciHttpError, OciLimitError } from './errors.js';
import { type ImageManifest, MANIFEST_ACCEPT, parseImageManifest } from './manifest.js';
import { DIGEST_PATTERN, registryEndpoint } from './reference.js';
import { RegistryTransport, readAnswerBody, translateError } from './transport.js';

/** Size and count limits of a {@link RegistryClient}. */
export interface RegistryLimits {
  /** The largest manifest read (default 4 MiB, distribution's own limit). */
  maxManifestBytes: number;
  /** The largest blob read into memory or streamed (default 256 MiB). */
  maxBlobBytes: number;
  /** The most tags listed (default 100,000). */
  maxTags: number;
}

/** The default {@link RegistryLimits}. */
export const DEFAULT_REGISTRY_LIMITS: RegistryLimits = {
  maxManifestBytes: 4 * 1024 * 1024,
  maxBlobBytes: 256 * 1024 * 1024,
  maxTags: 100_000,
};

/** Options of a {@link RegistryClient}. */
export interface RegistryClientOptions {
  /** The registry's host[:port] (`ghcr.io`, `localhost:5000`). */
  registry: string;
  /** Plain HTTP; by default only for a loopback registry. */
  insecure?: boolean | undefined;
  /** The base URL, when it is not `https://<registry>` (a test's proxy). */
  endpoint?: string | undefined;
  /** Credentials: basic auth or the token service's; anonymous without them. */
  credentials?: RegistryCredentials | undefined;
  /** The time one request may take, its body included (default 60 s). */
  timeoutMs?: number | undefined;
  /** Limits; each defaults to {@link DEFAULT_REGISTRY_LIMITS}. */
  limits?: Partial<RegistryLimits> | undefined;
  /** The fetch to use (default: Node's global fetch). */
  fetch?: typeof fetch | undefined;
  /** The `User-Agent` header (default `gitops-kit/oci`). */
  userAgent?: string | undefined;
}

/** A manifest as read: its digest, media type, raw bytes and parsed form. */
export interface FetchedManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
  manifest: ImageManifest;
}

/** Options of one call. */
export interface CallOptions {
  /** Aborts the call. */
  signal?: AbortSignal | undefined;
}

/** Options of {@link RegistryClient.uploadBlob}. */
export interface UploadOptions extends CallOptions {
  /** Upload in PATCH chunks of this many bytes instead of one PUT (monolithic). */
  chunkSize?: number | undefined;
}

/**
 * A client of the distribution API v2 for one registry: manifests and blobs (GET, HEAD, PUT, and
 * uploads by POST then PUT, or in PATCH chunks), tag lists. Every manifest and blob read is
 * checked against its digest (and its announced size); a mismatch is an `OciDigestMismatchError`
 * and the content is not returned. Authentication, redirects and timeouts are the transport's.
 */
export class RegistryClient {
  /** The registry's host[:port]. */
  readonly registry: string;
  /** The limits in force. */
  readonly limits: RegistryLimits;
  private readonly transport: RegistryTransport;

  constructor(options: RegistryClientOptions) {
    this.registry = options.registry;
    this.limits = { ...DEFAULT_REGISTRY_LIMITS, ...options.limits };
    this.transport = new RegistryTransport({
      endpoint: options.endpoint ?? registryEndpoint(options.registry, options.insecure),
      registry: options.registry,
      credentials: options.credentials,
      timeoutMs: options.timeoutMs,
      fetch: options.fetch,
      userAgent: options.userAgent ?? 'gitops-kit/oci',
    });
  }

  private what(repository: string, kind: string, ref: string): string {
    return `${kind} ${ref} of ${this.registry}/${repository}`;
  }

  /**
   * The digest of the manifest `reference` (a tag or a digest) names, by a HEAD request: no body
   * travels. Falls back to a GET when the registry sends no `Docker-Content-Digest`.
   */
  async resolveManifest(repository: string, reference: string, options: CallOptions = {}): Promise<string> {
    const what = this.what(repository, 'manifest', reference);
    const answer = await this.transport.send({
      method: 'HEAD',
      url: `/v2/${repository}/manifests/${reference}`,
      repository,
      actions: 'pull',
      headers: { accept: MANIFEST_ACCEPT },
      expect: [200],
      what,
      signal: options.signal,
    });
    answer.done();
    const digest = answer.response.headers.get('docker-content-digest');
    if (digest !== null && DIGEST_PATTERN.test(digest)) {
      if (DIGEST_PATTERN.test(reference) && digest !== reference) {
        throw new OciFormatError('OCI_MANIFEST', `${what}: the registry names it ${digest}`);
      }
      return digest;
    }
    return (await this.getManifest(repository, reference, options)).digest;
  }

  /** The manifest `reference` (a tag or a digest) names, its bytes checked against its digest. */
  async getManifest(
    repository: string,
    reference: string,
    options: CallOptions = {},
  ): Promise<FetchedManifest> {
    const what = this.what(repository, 'manifest', reference);
    const answer = await this.transport.send({
      method: 'GET',
      url: `/v2/${repository}/manifests/${reference}`,
      repository,
      actions: 'pull',
      headers: { accept: MANIFEST_ACCEPT },
      expect: [200],
      what,
      signal: options.signal,
    });
    const bytes = await readAnswerBody(answer, this.limits.maxManifestBytes, what, options.signal);
    const mediaType = answer.response.headers.get('content-type')?.split(';')[0]?.trim() ?? '';
    // By digest: the bytes must hash to it. By tag: to what the registry says, when it says.
    const header = answer.response.headers.get('docker-content-digest');
    const expected = DIGEST_PATTERN.test(reference)
      ? reference
      : header !== null && DIGEST_PATTERN.test(header)
        ? header
        : undefined;
    if (expected !== undefined) verifyDigest(bytes, expected, what);
    const digest = expected ?? sha256Digest(bytes);
    return { digest, mediaType, bytes, manifest: parseImageManifest(bytes, what, mediaType) };
  }

  /** Stores a manifest under `reference` (a tag, or its digest); returns its digest. */
  async putManifest(
    repository: string,
    reference: string,
    bytes: Uint8Array,
    mediaType: string,
    options: CallOptions = {},
  ): Promise<string> {
    const what = this.what(repository, 'manifest', reference);
    const answer = await this.transport.send({
      method: 'PUT',
      url: `/v2/${repository}/manifests/${reference}`,
      repository,
      actions: 'pull,push',
      headers: { 'content-type': mediaType },
      body: bytes,
      expect: [201, 200],
      what,
      signal: options.signal,
    });
    answer.done();
    await answer.response.body?.cancel().catch(() => undefined);
    return sha256Digest(bytes);
  }

  /** The size of blob `digest`, or `undefined` when the repository does not hold it (HEAD). */
  async headBlob(repository: string, digest: string, options: CallOptions = {}): Promise<number | undefined> {
    try {
      const answer = await this.transport.send({
        method: 'HEAD',
        url: `/v2/${repository}/blobs/${digest}`,
        repository,
        actions: 'pull',
        expect: [200],
        what: this.what(repository, 'blob', digest),
        signal: options.signal,
      });
      answer.done();
      return Number(answer.response.headers.get('content-length') ?? Number.NaN);
    } catch (err) {
      if (err instanceof OciHttpError && err.status === 404) return undefined;
      throw err;
    }
  }

  /**
   * Streams blob `digest` (following a redirect to blob storage, without credentials), hashing it as
   * it comes. The last chunk is yielded only after the digest and `size` (when given) are checked,
   * so a consumer that uses what it read only once the stream ends never uses a corrupted blob.
   */
  async *streamBlob(
    repository: string,
    digest: string,
    options: CallOptions & { size?: number | undefined } = {},
  ): AsyncGenerator<Uint8Array> {
    const what = this.what(repository, 'blob', digest);
    const max = this.limits.maxBlobBytes;
    if (options.size !== undefined && options.size > max) {
      throw new OciLimitError(`${what} is ${options.size} bytes, over the limit of ${max}`, max);
    }
    const verifier = new DigestVerifier(digest, what, options.size);
    const answer = await this.transport.send({
      method: 'GET',
      url: `/v2/${repository}/blobs/${digest}`,
      repository,
      actions: 'pull',
      expect: [200],
      what,
      signal: options.signal,
    });
    try {
      const body = answer.response.body;
      if (body === null) {
        verifier.finish();
        return;
      }
      let held: Uint8Array | undefined;
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        verifier.update(chunk);
        if (verifier.size > max) {
          await body.cancel().catch(() => undefined);
          throw new OciLimitError(`${what} is over the limit of ${max} bytes`, max);
        }
        if (held !== undefined) yield held;
        held = chunk;
      }
      verifier.finish();
      if (held !== undefined) yield held;
    } catch (err) {
      throw translateError(err, { what }, answer.signal, options.signal);
    } finally {
      answer.done();
    }
  }

  /** Blob `digest` in memory, checked against its digest. */
  async getBlob(
    repository: string,
    digest: string,
    options: CallOptions & { size?: number } = {},
  ): Promise<Buffer> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of this.streamBlob(repository, digest, options)) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  /**
   * Uploads `data` as a blob unless the repository already holds it (HEAD first); returns its
   * digest. One POST then one PUT (monolithic), or PATCH chunks of `chunkSize` then a PUT.
   */
  async uploadBlob(repository: string, data: Uint8Array, options: UploadOptions = {}): Promise<string> {
    const digest = sha256Digest(data);
    if ((await this.headBlob(repository, digest, options)) === data.length) return digest;
    const what = this.what(repository, 'blob upload', digest);
    const send = async (
      method: 'POST' | 'PATCH' | 'PUT',
      url: string,
      expect: number[],
      body?: Uint8Array,
      headers?: Record<string, string>,
    ) => {
      const answer = await this.transport.send({
        method,
        url,
        repository,
        actions: 'pull,push',
        body,
        headers,
        expect,
        what,
        signal: options.signal,
      });
      answer.done();
      await answer.response.body?.cancel().catch(() => undefined);
      const location = answer.response.headers.get('location');
      return location === null ? undefined : new URL(location, answer.url).toString();
    };
    let location = await send('POST', `/v2/${repository}/blobs/uploads/`, [202]);
    if (location === undefined) throw new OciFormatError('OCI_MANIFEST', `${what}: no upload location`);
    const chunkSize = options.chunkSize;
    let body: Uint8Array | undefined = data;
    if (chunkSize !== undefined && chunkSize > 0 && data.length > 0) {
      for (let offset = 0; offset < data.length; offset += chunkSize) {
        const chunk = data.subarray(offset, Math.min(offset + chunkSize, data.length));
        location = await send('PATCH', location, [202], chunk, {
          'content-type': 'application/octet-stream',
          'content-range': `${offset}-${offset + chunk.length - 1}`,
        });
        if (location === undefined) throw new OciFormatError('OCI_MANIFEST', `${what}: no upload location`);
      }
      body = undefined;
    }
    const url = new URL(location);
    url.searchParams.set('digest', digest);
    await send(
      'PUT',
      url.toString(),
      [201],
      body,
      body === undefined ? undefined : { 'content-type': 'application/octet-stream' },
    );
    return digest;
  }

  /** Every tag of the repository, following the `Link` pagination, at most `limits.maxTags`. */
  async listTags(repository: string, options: CallOptions = {}): Promise<string[]> {
    const tags: string[] = [];
    let url: string | undefined = `/v2/${repository}/tags/list?n=1000`;
    const what = `the tags of ${this.registry}/${repository}`;
    while (url !== undefined) {
      const answer = await this.transport.send({
        method: 'GET',
        url,
        repository,
        actions: 'pull',
        expect: [200],
        what,
        signal: options.signal,
      });
      const body = await readAnswerBody(answer, this.limits.maxManifestBytes, what, options.signal);
      let page: { tags?: unknown };
      try {
        page = JSON.parse(body.toString('utf8')) as { tags?: unknown };
      } catch (err) {
        throw new OciFormatError('OCI_MANIFEST', `${what}: the answer is not JSON`, { cause: err });
      }
      if (Array.isArray(page.tags)) tags.push(...page.tags.filter((t): t is string => typeof t === 'string'));
      if (tags.length > this.limits.maxTags) {
        throw new OciLimitError(`${what}: more than ${this.limits.maxTags} tags`, this.limits.maxTags);
      }
      const link = /<([^>]+)>\s*;\s*rel="?next"?/.exec(answer.response.headers.get('link') ?? '');
      url = link?.[1] === undefined ? undefined : new URL(link[1], answer.url).toString();
    }
    return tags;
  }
}
