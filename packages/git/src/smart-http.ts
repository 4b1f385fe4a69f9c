import {
  GitAuthError,
  GitLimitError,
  GitNotFoundError,
  GitProtocolError,
  withRepositoryUrl,
} from './errors.js';
import { type FetchPackRequest, type FetchResult, parseFetchV0, parseFetchV2 } from './fetch-answer.js';
import { FetchAnswerMonitor } from './fetch-answer-monitor.js';
import { type BodyGuard, type HttpResponse, sendHttp } from './http-client.js';
import type { GitTlsOptions } from './http-dispatcher.js';

import { type GitLimits, REF_LISTING_BYTES_PER_REF, resolveGitLimits } from './limits.js';
import { DELIM, FLUSH, lineText, parsePktLines, pkt } from './pkt-line.js';
import { redactUrl } from './redact.js';

export type { FetchPackRequest, FetchResult } from './fetch-answer.js';

/** How to reach a remote repository: its URL (no credentials in it) and the headers sent up front. */
export interface GitRemote {
  /** The repository URL, without user info. */
  url: string;
  /** Headers sent with every request (authorization, extra headers). */
  headers: Record<string, string>;
  /** Time for one request, in milliseconds. */
  timeoutMs: number;
  /** Retries after a connection reset or refusal. */
  retries: number;
  /** Aborts requests. */
  signal?: AbortSignal | undefined;
  /** TLS settings for an https URL. */
  tls?: GitTlsOptions | undefined;
  /** An HTTP proxy URL, `false` for none; by default the environment's (`HTTPS_PROXY`, `NO_PROXY`, …). */
  proxy?: string | false | undefined;
  /** What the server may send before it is refused (defaults: {@link DEFAULT_GIT_LIMITS}). */
  limits?: Partial<GitLimits> | undefined;
}

/** One advertised ref. */
export interface RemoteRef {
  /** The full name, e.g. `refs/heads/main` or `HEAD`. */
  name: string;
  /** The object the ref points to (a tag object for annotated tags). */
  oid: string;
  /** For annotated tags, the object the tag finally points to. */
  peeled?: string | undefined;
  /** For symbolic refs (HEAD), the ref it points to. */
  symrefTarget?: string | undefined;
}

const UPLOAD_PACK_REQUEST = 'application/x-git-upload-pack-request';
const UPLOAD_PACK_RESULT = 'application/x-git-upload-pack-result';
const AGENT = 'gitops-kit/0.1';
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/** Whether a v0 server offered side-band-64k (and a fetch asks for it: see fetchBodyV0). */
const sideBand64k = (discovery: ServerDiscovery): boolean => discovery.capabilities.has('side-band-64k');

/** Whether the server named its agent (git sends its own only then). */
const namesAgent = (discovery: ServerDiscovery | undefined): boolean =>
  discovery !== undefined && [...discovery.capabilities].some((c) => c.startsWith('agent='));

/** The refs whose names start with one of `prefixes` (all when there are none). */
const byPrefix = (refs: RemoteRef[], prefixes: string[]): RemoteRef[] =>
  refs.filter((r) => prefixes.length === 0 || prefixes.some((p) => r.name.startsWith(p)));

/** What the server's capability advertisement said: the protocol version, capabilities and (v0) refs. */
export interface ServerDiscovery {
  version: 0 | 2;
  /** v0: every ref, from the advertisement. */
  refs: RemoteRef[];
  capabilities: Set<string>;
  /** True when v2 was inferred from an `ls-refs` answer rather than advertised. */
  assumed?: boolean | undefined;
}

/**
 * A client of git's smart-HTTP protocol for `git-upload-pack`: protocol v2 (`ls-refs` with
 * ref prefixes, `fetch`) where the server speaks it, v0 otherwise. Stateless: every request is
 * idempotent, so resets are retried. After the first discovery a v2 server is sent commands
 * directly, so a poll is one request.
 */
export class SmartHttpClient {
  private discovery: ServerDiscovery | undefined;
  /** The repository URL a redirect moved this client to. */
  private redirectedBase: string | undefined;
  /** True once a redirect led to another origin: credentials are no longer sent. */
  private crossOrigin = false;
  /** The limits in force. */
  readonly limits: GitLimits;

  constructor(private readonly remote: GitRemote) {
    this.limits = resolveGitLimits(remote.limits);
  }

  /** The redacted repository URL, for messages. */
  private get where(): string {
    return redactUrl(this.remote.url);
  }

  /** Bounds a ref listing's answer to 1 KiB per allowed ref, refused while it arrives. */
  private refListingGuard = (): BodyGuard => {
    const max = this.limits.maxRefs;
    return {
      maxBytes: max * REF_LISTING_BYTES_PER_REF + 64 * 1024,
      tooLarge: (bytes) =>
        new GitLimitError(
          'maxRefs',
          max,
          `${this.where} sent a ref listing of more than ${bytes - 1} bytes, more than ${max} refs can take (limits.maxRefs)`,
        ),
    };
  };

  /** Refuses a listing of more than `maxRefs` refs. */
  private checkRefCount(count: number): void {
    const max = this.limits.maxRefs;
    if (count > max)
      throw new GitLimitError(
        'maxRefs',
        max,
        `${this.where} advertised more than ${max} refs (limits.maxRefs)`,
      );
  }

  /** The protocol version the server spoke on the last discovery, if any. */
  get protocolVersion(): 0 | 2 | undefined {
    return this.discovery?.version;
  }

  private base(): string {
    return (this.redirectedBase ?? this.remote.url).replace(/\/+$/, '');
  }

  private async request(
    method: 'GET' | 'POST',
    path: string,
    body: Buffer | undefined,
    bodyGuard: () => BodyGuard,
  ): Promise<HttpResponse> {
    for (let hop = 0; ; hop++) {
      const url = `${this.base()}${path}`;
      const headers: Record<string, string> = {
        'user-agent': `git/2.39 ${AGENT}`,
        'git-protocol': 'version=2',
        // Credentials and extra headers go only to the origin they were given for.
        ...(this.crossOrigin ? {} : this.remote.headers),
      };
      if (method === 'POST') {
        headers['content-type'] = UPLOAD_PACK_REQUEST;
        headers.accept = UPLOAD_PACK_RESULT;
      }
      const res = await sendHttp(
        { method, url, headers, body },
        {
          timeoutMs: this.remote.timeoutMs,
          retries: this.remote.retries,
          signal: this.remote.signal,
          tls: this.remote.tls,
          proxy: this.remote.proxy,
          bodyGuard,
        },
      );
      if (REDIRECTS.has(res.status)) {
        this.followRedirect(url, path, res, hop);
        continue;
      }
      this.checkStatus(res);
      return res;
    }
  }

  /**
   * Moves the client to the repository URL a redirect names, as git does for a renamed or moved
   * repository (GitHub answers the old name with 301): the target must be the same request on
   * another base URL, never a downgrade from HTTPS, and credentials are not sent to another origin.
   */
  private followRedirect(from: string, path: string, res: HttpResponse, hop: number): void {
    const where = redactUrl(this.remote.url);
    const location = res.headers.location;
    if (typeof location !== 'string' || location === '')
      throw new GitProtocolError(`${where} answered HTTP ${res.status} without a Location`);
    if (hop >= MAX_REDIRECTS) throw new GitProtocolError(`${where}: more than ${MAX_REDIRECTS} redirects`);
    let target: URL;
    try {
      target = new URL(location, from);
    } catch {
      throw new GitProtocolError(`${where} redirected to an invalid URL`);
    }
    const source = new URL(from);
    // Stryker disable next-line StringLiteral: equivalent, sendHttp sends no user info of a URL and messages redact it; cleared so that no credential is kept in the base
    target.username = '';
    // Stryker disable next-line StringLiteral: equivalent, as above
    target.password = '';
    const shown = redactUrl(target.href);
    if (target.protocol !== 'https:' && (source.protocol === 'https:' || target.protocol !== 'http:'))
      throw new GitProtocolError(
        `${where} redirected to ${shown}: refused (only http(s), never down from https)`,
      );
    if (!target.href.endsWith(path))
      throw new GitProtocolError(`${where} redirected to ${shown}, which is not a git repository URL`);
    if (target.origin !== source.origin) this.crossOrigin = true;
    this.redirectedBase = target.href.slice(0, target.href.length - path.length);
  }

  private checkStatus(res: HttpResponse): void {
    const where = redactUrl(this.remote.url);
    if (res.status === 401 && this.crossOrigin) {
      throw new GitAuthError(
        `authentication required by ${redactUrl(this.base())}, to which ${where} redirected: credentials are not sent to another origin; use the new URL`,
        401,
      );
    }
    if (res.status === 401) {
      // Not redirected to another origin (above): the headers were sent.
      const sentCredentials = Object.keys(this.remote.headers).some(
        (h) => h.toLowerCase() === 'authorization',
      );
      throw new GitAuthError(
        sentCredentials
          ? `authentication failed for ${where}: the server refused the credentials`
          : `authentication required for ${where}: no credentials were given`,
        401,
      );
    }
    if (res.status === 407) {
      throw new GitAuthError(
        `the HTTP proxy in front of ${where} requires credentials, or refused them (give them in the proxy URL)`,
        407,
      );
    }
    if (res.status === 403)
      throw new GitAuthError(`access to ${where} is forbidden for these credentials`, 403);
    if (res.status === 404) throw new GitNotFoundError('repository', `repository ${where} not found`);
    // (A final status is never 1xx: undici skips interim answers.)
    if (res.status >= 300) {
      throw new GitProtocolError(`${where} answered HTTP ${res.status}`, { details: { status: res.status } });
    }
  }

  /** Reads the capability advertisement (and, from a v0 server, every ref). */
  async discover(): Promise<ServerDiscovery> {
    try {
      return await this.discoverNow();
    } catch (err) {
      throw withRepositoryUrl(err, this.where);
    }
  }

  private async discoverNow(): Promise<ServerDiscovery> {
    const res = await this.request(
      'GET',
      '/info/refs?service=git-upload-pack',
      undefined,
      this.refListingGuard,
    );
    const type = String(res.headers['content-type']);
    if (!type.startsWith('application/x-git-upload-pack-advertisement')) {
      throw new GitProtocolError(`${redactUrl(this.remote.url)} is not a git smart-HTTP server`);
    }
    const capabilities = new Set<string>();
    const refs: RemoteRef[] = [];
    let version: 0 | 2 = 0;
    let first = true;
    for (const line of parsePktLines(res.body.slice(0, res.body.length))) {
      if (line.kind !== 'data') continue;
      const text = lineText(line.data);
      if (text.startsWith('# service=')) continue;
      if (text === 'version 2') {
        version = 2;
        continue;
      }
      if (version === 2) {
        capabilities.add(text);
        continue;
      }
      if (text.startsWith('ERR ')) throw new GitProtocolError(`server error: ${text.slice(4)}`);
      // A shallow repository advertises its shallow commits after the refs.
      if (text.startsWith('shallow ')) continue;
      // The first line carries the capabilities after a NUL; on another line git reads the name
      // up to a NUL and ignores the rest.
      const nul = text.indexOf('\0');
      const refPart = nul === -1 ? text : text.slice(0, nul);
      if (first && nul !== -1)
        for (const cap of text.slice(nul + 1).split(' ')) if (cap !== '') capabilities.add(cap);
      first = false;
      const [, oid, name] = /^([0-9a-f]{40}) (.+)$/.exec(refPart) ?? [];
      if (oid === undefined || name === undefined)
        throw new GitProtocolError(
          `expected an object id and a ref name in the ref advertisement, got ${JSON.stringify(refPart.slice(0, 100))}`,
        );
      if (name.endsWith('^{}')) {
        // The peeled line follows its tag's line (git's advertise order). An empty repository's
        // `capabilities^{}` line has no line before it: nothing to peel.
        const base = refs.at(-1);
        if (base !== undefined && base.name === name.slice(0, -3)) base.peeled = oid;
      } else {
        refs.push({ name, oid });
        this.checkRefCount(refs.length);
      }
    }
    // v0 names HEAD's target in a capability (v2 advertises no refs: nothing is found).
    for (const cap of capabilities) {
      const match = /^symref=([^:]+):(.+)/.exec(cap);
      if (match === null) continue;
      const ref = refs.find((r) => r.name === match[1]);
      if (ref !== undefined) ref.symrefTarget = match[2];
    }
    this.discovery = { version, refs, capabilities };
    return this.discovery;
  }

  /**
   * Lists the refs whose names start with one of `prefixes` (all when empty), in one request where
   * possible: an `ls-refs` command with `ref-prefix` arguments is sent straight away (as a v2 server
   * answers it without a prior capability advertisement); only when the answer is not a valid v2
   * one does the client discover the server's protocol and, for v0, filter the advertised refs.
   */
  async listRefs(prefixes: string[]): Promise<RemoteRef[]> {
    if (this.discovery === undefined) {
      try {
        const refs = await this.lsRefs(prefixes);
        this.discovery = { version: 2, refs: [], capabilities: new Set(), assumed: true };
        return refs;
      } catch (err) {
        if (!(err instanceof GitProtocolError)) throw err;
      }
    }
    let discovery = this.discovery;
    if (discovery === undefined || discovery.version === 0) discovery = await this.discover();
    if (discovery.version === 0) {
      return byPrefix(discovery.refs, prefixes);
    }
    try {
      return await this.lsRefs(prefixes);
    } catch (err) {
      // The server may have changed since an assumed or old discovery: rediscover once.
      if (!(err instanceof GitProtocolError) || discovery.assumed !== true) throw err;
      this.discovery = undefined;
      const fresh = await this.discover();
      if (fresh.version === 0) {
        return byPrefix(fresh.refs, prefixes);
      }
      return this.lsRefs(prefixes);
    }
  }

  /** One v2 `ls-refs` request; rejects with GitProtocolError unless the answer is well-formed v2. */
  private async lsRefs(prefixes: string[]): Promise<RemoteRef[]> {
    try {
      return await this.lsRefsNow(prefixes);
    } catch (err) {
      throw withRepositoryUrl(err, this.where);
    }
  }

  private async lsRefsNow(prefixes: string[]): Promise<RemoteRef[]> {
    const parts: Buffer[] = [pkt('command=ls-refs\n')];
    if (namesAgent(this.discovery)) parts.push(pkt(`agent=${AGENT}\n`));
    parts.push(DELIM, pkt('peel\n'), pkt('symrefs\n'));
    for (const prefix of prefixes) parts.push(pkt(`ref-prefix ${prefix}\n`));
    parts.push(FLUSH);
    const res = await this.request('POST', '/git-upload-pack', Buffer.concat(parts), this.refListingGuard);
    const body = res.body.slice(0, res.body.length);
    const invalid = () =>
      new GitProtocolError(`${redactUrl(this.remote.url)} did not answer ls-refs (protocol v2)`);
    if (!String(res.headers['content-type']).startsWith(UPLOAD_PACK_RESULT)) throw invalid();
    // (An answer shorter than 4 bytes reads whole here, and is no flush either.)
    if (body.toString('latin1', body.length - 4) !== '0000') throw invalid();
    const refs: RemoteRef[] = [];
    for (const line of parsePktLines(body)) {
      if (line.kind !== 'data') continue;
      const text = lineText(line.data);
      if (text.startsWith('ERR ')) throw new GitProtocolError(`server error: ${text.slice(4)}`);
      const [oid, name, ...attrs] = text.split(' ');
      if (oid === undefined || name === undefined || !/^[0-9a-f]{40}$/.test(oid)) throw invalid();
      const ref: RemoteRef = { name, oid };
      for (const attr of attrs) {
        if (attr.startsWith('peeled:')) ref.peeled = attr.slice(7);
        else if (attr.startsWith('symref-target:')) ref.symrefTarget = attr.slice(14);
      }
      refs.push(ref);
      this.checkRefCount(refs.length);
    }
    return refs;
  }

  /** Fetches a pack holding `wants` and what they reach, minus what `haves` reach. */
  async fetchPack(req: FetchPackRequest): Promise<FetchResult> {
    const discovery = this.discovery ?? (await this.discover());
    const body =
      discovery.version === 2 ? this.fetchBodyV2(req, discovery) : this.fetchBodyV0(req, discovery);
    try {
      const res = await this.request('POST', '/git-upload-pack', body, () => this.fetchGuard(discovery));
      return discovery.version === 2
        ? parseFetchV2(res.body, req)
        : parseFetchV0(res.body, req, sideBand64k(discovery));
    } catch (err) {
      // A server assumed to speak v2 that did not answer as one (a v0-only server answers a v2
      // fetch with nothing): discover its protocol, then fetch once more.
      if (!(err instanceof GitProtocolError) || discovery.assumed !== true)
        throw withRepositoryUrl(err, this.where);
      this.discovery = undefined;
      return this.fetchPack(req);
    }
  }

  /**
   * Bounds a fetch's answer: the pack to `maxPackBytes`, everything else to `maxSideBandBytes`,
   * watched line by line as it arrives (a {@link FetchAnswerMonitor}); the body as a whole to their
   * sum and the pkt-line framing, should the monitor be fooled.
   */
  private fetchGuard(discovery: ServerDiscovery): BodyGuard {
    const { maxPackBytes, maxSideBandBytes } = this.limits;
    const monitor = new FetchAnswerMonitor({
      version: discovery.version,
      sideBand: sideBand64k(discovery),
      limits: this.limits,
      url: this.where,
    });
    const framing = Math.ceil(maxPackBytes / 65515) * 5;
    return {
      maxBytes: maxPackBytes + maxSideBandBytes + framing,
      tooLarge: () =>
        new GitLimitError(
          'maxPackBytes',
          maxPackBytes,
          `${this.where} answered the fetch with more than a pack of ${maxPackBytes} bytes (limits.maxPackBytes) and ${maxSideBandBytes} bytes of messages (limits.maxSideBandBytes)`,
        ),
      inspect: (piece) => monitor.feed(piece),
    };
  }

  private fetchBodyV2(req: FetchPackRequest, discovery: ServerDiscovery): Buffer {
    const parts: Buffer[] = [pkt('command=fetch\n')];
    if (namesAgent(discovery)) parts.push(pkt(`agent=${AGENT}\n`));
    parts.push(DELIM, pkt('thin-pack\n'), pkt('no-progress\n'), pkt('ofs-delta\n'));
    for (const want of req.wants) parts.push(pkt(`want ${want}\n`));
    for (const have of req.haves) parts.push(pkt(`have ${have}\n`));
    for (const s of req.shallow) parts.push(pkt(`shallow ${s}\n`));
    if (req.depth !== undefined) parts.push(pkt(`deepen ${req.depth}\n`));
    parts.push(pkt('done\n'), FLUSH);
    return Buffer.concat(parts);
  }

  private fetchBodyV0(req: FetchPackRequest, discovery: ServerDiscovery): Buffer {
    const caps = [
      'multi_ack_detailed',
      'side-band-64k',
      'thin-pack',
      'ofs-delta',
      'no-progress',
      'shallow',
      `agent=${AGENT}`,
    ].filter((c) => c.startsWith('agent=') || discovery.capabilities.has(c));
    const parts: Buffer[] = [];
    req.wants.forEach((want, i) => {
      parts.push(pkt(i === 0 ? `want ${want} ${caps.join(' ')}\n` : `want ${want}\n`));
    });
    for (const s of req.shallow) parts.push(pkt(`shallow ${s}\n`));
    if (req.depth !== undefined) parts.push(pkt(`deepen ${req.depth}\n`));
    parts.push(FLUSH);
    for (const have of req.haves) parts.push(pkt(`have ${have}\n`));
    parts.push(pkt('done\n'));
    return Buffer.concat(parts);
  }
}
