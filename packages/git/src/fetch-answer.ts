import { ChunkList } from './chunk-list.js';
import { GitNotFoundError, GitProtocolError } from './errors.js';

/** What a fetch brought back. */
export interface FetchResult {
  /** The pack bytes, as the chunks they arrived in (empty when the server had nothing to send). */
  pack: ChunkList;
  /** Commits the server marked shallow. */
  shallow: string[];
  /** Commits the server marked no longer shallow. */
  unshallow: string[];
}

/** Options of `SmartHttpClient.fetchPack`. */
export interface FetchPackRequest {
  wants: string[];
  haves: string[];
  /** Commits the local store holds without their parents. */
  shallow: string[];
  /** Limit history to this many commits (only for a first clone). */
  depth?: number | undefined;
}

function notOurRef(message: string, req: FetchPackRequest): Error {
  if (/not our ref|unadvertised object|no such|not found|bad object/i.test(message)) {
    return new GitNotFoundError('commit', `the server does not have ${req.wants.join(', ')}: ${message}`);
  }
  return new GitProtocolError(`server error: ${message}`);
}

/** Reads pkt-lines from a chunked body: small lines are copied out, side-band pack data is not. */
class PktCursor {
  pos = 0;
  constructor(private readonly body: ChunkList) {}

  /** The next line's length field, or undefined at the end. */
  private header(): number | undefined {
    if (this.pos + 4 > this.body.length) return undefined;
    const len = Number.parseInt(this.body.slice(this.pos, this.pos + 4).toString('latin1'), 16);
    if (Number.isNaN(len)) throw new GitProtocolError('malformed pkt-line length');
    if (len >= 4 && this.pos + len > this.body.length) throw new GitProtocolError('truncated pkt-line');
    return len;
  }

  /** The next line as text (`undefined` at the end, `''` for special packets). */
  nextText(): string | undefined {
    const len = this.header();
    if (len === undefined) return undefined;
    if (len < 4) {
      this.pos += 4;
      return '';
    }
    const text = this.body.slice(this.pos + 4, this.pos + len).toString('utf8');
    this.pos += len;
    return text.endsWith('\n') ? text.slice(0, -1) : text;
  }

  /**
   * Collects side-band channel 1 up to the flush as views of the body (no copy); channel 2
   * (progress) is skipped, channel 3 is a fatal error.
   */
  sideBand(req: FetchPackRequest): ChunkList {
    const pieces: Buffer[] = [];
    for (;;) {
      const len = this.header();
      if (len === undefined || len < 4) break;
      const band = this.body.byteAt(this.pos + 4);
      if (band === 1) pieces.push(...this.body.views(this.pos + 5, this.pos + len));
      else if (band === 3)
        throw notOurRef(
          this.body
            .slice(this.pos + 5, this.pos + len)
            .toString('utf8')
            .trim(),
          req,
        );
      else if (band !== 2) {
        const text = this.body
          .slice(this.pos + 4, this.pos + len)
          .toString('utf8')
          .trim();
        if (text.startsWith('ERR ')) throw notOurRef(text.slice(4), req);
      }
      this.pos += len;
    }
    return new ChunkList(pieces);
  }
}

const EMPTY = new ChunkList([]);

/** Reads a protocol v2 `fetch` answer: its sections, then the pack from the side band. */
export function parseFetchV2(body: ChunkList, req: FetchPackRequest): FetchResult {
  const result: FetchResult = { pack: EMPTY, shallow: [], unshallow: [] };
  const cursor = new PktCursor(body);
  let section = '';
  for (let text = cursor.nextText(); text !== undefined; text = cursor.nextText()) {
    if (text.startsWith('ERR ')) throw notOurRef(text.slice(4), req);
    if (text === 'acknowledgments' || text === 'shallow-info' || text === 'wanted-refs') {
      section = text;
      continue;
    }
    if (text === 'packfile') {
      result.pack = cursor.sideBand(req);
      return result;
    }
    if (section === 'shallow-info') {
      if (text.startsWith('shallow ')) result.shallow.push(text.slice(8));
      else if (text.startsWith('unshallow ')) result.unshallow.push(text.slice(10));
    }
  }
  return result;
}

/** Reads a protocol v0 upload-pack answer: shallow lines, the final NAK/ACK, then the pack. */
export function parseFetchV0(body: ChunkList, req: FetchPackRequest): FetchResult {
  const result: FetchResult = { pack: EMPTY, shallow: [], unshallow: [] };
  const cursor = new PktCursor(body);
  for (let text = cursor.nextText(); text !== undefined; text = cursor.nextText()) {
    if (text.startsWith('ERR ')) throw notOurRef(text.slice(4), req);
    if (text.startsWith('shallow ')) result.shallow.push(text.slice(8));
    else if (text.startsWith('unshallow ')) result.unshallow.push(text.slice(10));
    else if (text === 'NAK' || (text.startsWith('ACK ') && !/ (continue|common|ready)$/.test(text))) {
      result.pack = cursor.sideBand(req);
      return result;
    }
  }
  return result;
}
