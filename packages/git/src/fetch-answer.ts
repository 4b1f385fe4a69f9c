import { ChunkList } from './chunk-list.js';
import { GitNotFoundError, GitProtocolError } from './errors.js';

/** What a fetch brought back. */
export interface FetchResult {
  /** The pack bytes, as the chunks they arrived in. */
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
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, a length under 4 (a special packet) or of 4 ends within the 4 bytes the check above found
    if (len >= 4 && this.pos + len > this.body.length) throw new GitProtocolError('truncated pkt-line');
    return len;
  }

  /** The next line as text (`undefined` at the end, `''` for special packets). */
  nextText(): string | undefined {
    const len = this.header();
    if (len === undefined) return undefined;
    // Stryker disable next-line EqualityOperator: equivalent, an empty line (0004) reads as '' either way
    if (len < 4) {
      this.pos += 4;
      // Stryker disable next-line StringLiteral: equivalent, any text that is no keyword, ERR line or shallow line is skipped alike
      return '';
    }
    const text = this.body.slice(this.pos + 4, this.pos + len).toString('utf8');
    this.pos += len;
    return text.endsWith('\n') ? text.slice(0, -1) : text;
  }

  /**
   * Collects side-band channel 1 up to the flush as views of the body (no copy); channel 2
   * (progress) is skipped, channel 3 is a fatal error. As in git, an `ERR` line is the server's
   * error, and a line without a band or on another band is a protocol error.
   */
  sideBand(req: FetchPackRequest): ChunkList {
    const pieces: Buffer[] = [];
    for (;;) {
      const len = this.header();
      if (len === undefined || len < 4) break;
      if (len === 4) throw new GitProtocolError('side-band line without a band number');
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
        throw new GitProtocolError(`side-band line on unknown band ${band}`);
      }
      this.pos += len;
    }
    return new ChunkList(pieces);
  }

  /** The rest of the body as views of it (no copy): a v0 pack sent without side-band. */
  rest(): ChunkList {
    return new ChunkList(this.body.views(this.pos, this.body.length));
  }
}

/**
 * A fetch request ends with `done`: the answer must then hold the pack (gitprotocol-v2, and v0's
 * final NAK or ACK). One that ends before it is not an answer to this request, such as the empty
 * answer a v0-only server gives a v2 `fetch` command.
 */
function noPack(): GitProtocolError {
  return new GitProtocolError('the fetch answer ended before the pack');
}

/** Reads a protocol v2 `fetch` answer: its sections, then the pack from the side band. */
export function parseFetchV2(body: ChunkList, req: FetchPackRequest): FetchResult {
  const result: FetchResult = { pack: new ChunkList([]), shallow: [], unshallow: [] };
  const cursor = new PktCursor(body);
  // Stryker disable next-line StringLiteral: equivalent, the section is only compared with 'shallow-info'
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
  throw noPack();
}

/**
 * Reads a protocol v0 upload-pack answer: shallow lines, the final NAK/ACK, then the pack: on
 * side-band channel 1, or (`sideBand` false: the request did not ask for side-band-64k, as the
 * server did not offer it) bare, the rest of the answer, as git's fetch-pack reads it.
 */
export function parseFetchV0(body: ChunkList, req: FetchPackRequest, sideBand = true): FetchResult {
  const result: FetchResult = { pack: new ChunkList([]), shallow: [], unshallow: [] };
  const cursor = new PktCursor(body);
  for (let text = cursor.nextText(); text !== undefined; text = cursor.nextText()) {
    if (text.startsWith('ERR ')) throw notOurRef(text.slice(4), req);
    if (text.startsWith('shallow ')) {
      result.shallow.push(text.slice(8));
      continue;
    }
    if (text.startsWith('unshallow ')) {
      result.unshallow.push(text.slice(10));
      continue;
    }
    // Stryker disable next-line Regex: equivalent, an ACK line is `ACK <oid>` and an optional status: ` continue`, ` common` or ` ready` can only end it
    if (text === 'NAK' || (text.startsWith('ACK ') && !/ (continue|common|ready)$/.test(text))) {
      result.pack = sideBand ? cursor.sideBand(req) : cursor.rest();
      return result;
    }
  }
  throw noPack();
}
