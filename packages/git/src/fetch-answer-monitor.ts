import { GitLimitError, GitProtocolError } from './errors.js';
import type { GitLimits } from './limits.js';

/** The longest pkt-line git sends or accepts (LARGE_PACKET_MAX), length field included. */
const LARGE_PACKET_MAX = 65520;
const PACK_MAGIC = [0x50, 0x41, 0x43, 0x4b]; // "PACK"

/** What the monitor needs to know of the fetch it watches. */
export interface FetchAnswerMonitorOptions {
  /** The protocol the request was sent in: v2 announces the pack with a `packfile` line. */
  version: 0 | 2;
  /** v0 only: whether side-band-64k was asked for; without it the pack follows the NAK raw. */
  sideBand: boolean;
  limits: Pick<GitLimits, 'maxPackBytes' | 'maxSideBandBytes'>;
  /** The repository URL (redacted), for messages. */
  url: string;
}

type Mode = 'lines' | 'pack' | 'raw' | 'after';

/**
 * Follows the pkt-lines of a fetch answer while it arrives (fed every piece of the body), so a
 * hostile answer is refused after the bytes that show it, not after all of them are held: data on
 * the pack's side-band channel that does not start with `PACK`, a pack over `maxPackBytes`, more
 * than `maxSideBandBytes` of lines before the pack and progress or error messages, a length field
 * that is not pkt-line format. The answer is parsed afterwards as before; this only watches.
 */
export class FetchAnswerMonitor {
  private mode: Mode = 'lines';
  /** The length field being read (up to 4 hex digits). */
  private header = '';
  /** Bytes of the current line's payload still to come; 0 between lines. */
  private left = 0;
  /** True while the current line's first payload byte (its band, in the pack section) is awaited. */
  private atLineStart = false;
  /** The band of the current line, in the pack section. */
  private band = 0;
  /** The start of the current line's payload in the lines section (enough to tell `packfile`, `NAK`). */
  private text = '';
  private packBytes = 0;
  private otherBytes = 0;

  constructor(private readonly options: FetchAnswerMonitorOptions) {}

  /** Feeds the next piece of the body; throws {@link GitLimitError} or {@link GitProtocolError}. */
  feed(piece: Uint8Array): void {
    let pos = 0;
    while (pos < piece.length) {
      if (this.mode === 'raw' || this.mode === 'after') {
        this.countPack(piece.length - pos, this.mode === 'raw');
        return;
      }
      if (this.left === 0) {
        this.header += String.fromCharCode(piece[pos++] as number);
        if (this.header.length === 4) this.startLine();
        continue;
      }
      const n = Math.min(this.left, piece.length - pos);
      if (this.mode === 'lines') {
        this.countOther(n);
        if (this.text.length < 64)
          this.text += Buffer.from(piece.buffer, piece.byteOffset + pos, Math.min(n, 64)).toString('latin1');
      } else {
        let from = pos;
        if (this.atLineStart) {
          this.band = piece[from++] as number;
          this.atLineStart = false;
          if (this.band !== 1) this.countOther(5);
        }
        const data = piece.subarray(from, pos + n);
        if (this.band === 1) {
          this.checkMagic(data);
          this.countPack(data.length, true);
        } else this.countOther(data.length);
      }
      pos += n;
      this.left -= n;
      if (this.left === 0 && this.mode === 'lines') this.endTextLine();
    }
  }

  private startLine(): void {
    const field = this.header;
    this.header = '';
    const len = /^[0-9a-fA-F]{4}$/.test(field) ? Number.parseInt(field, 16) : Number.NaN;
    if (Number.isNaN(len) || len === 3 || len > LARGE_PACKET_MAX)
      throw new GitProtocolError(
        `${this.options.url} answered the fetch with something that is not git's pkt-line format (length field ${JSON.stringify(field)})`,
      );
    if (len < 4) {
      this.countOther(4);
      // A flush (or delimiter) ends the pack section; what follows is not pack data.
      if (this.mode === 'pack') this.mode = 'after';
      return;
    }
    // The framing of pack data lines is not counted (it grows with the pack, not with the
    // messages): in the pack section a line's length field counts once its band is known.
    if (this.mode !== 'pack') this.countOther(4);
    this.left = len - 4;
    this.atLineStart = true;
    this.text = '';
  }

  /** A whole line of the section before the pack: is it the one after which the pack comes? */
  private endTextLine(): void {
    const text = this.text.replace(/\n$/, '');
    const v0Final = text === 'NAK' || (/^ACK [0-9a-f]+$/.test(text) && this.options.version === 0);
    if (this.options.version === 2 && text === 'packfile') this.mode = 'pack';
    else if (this.options.version === 0 && v0Final) this.mode = this.options.sideBand ? 'pack' : 'raw';
  }

  private checkMagic(data: Uint8Array): void {
    for (let i = 0; i < data.length && this.packBytes + i < PACK_MAGIC.length; i++) {
      if (data[i] !== PACK_MAGIC[this.packBytes + i])
        throw new GitProtocolError(
          `${this.options.url} sent something that is not a pack file where the pack belongs`,
        );
    }
  }

  private countPack(n: number, isPack: boolean): void {
    if (!isPack) {
      this.countOther(n);
      return;
    }
    this.packBytes += n;
    const max = this.options.limits.maxPackBytes;
    if (this.packBytes > max)
      throw new GitLimitError(
        'maxPackBytes',
        max,
        `${this.options.url} sent a pack larger than ${max} bytes (limits.maxPackBytes)`,
      );
  }

  private countOther(n: number): void {
    this.otherBytes += n;
    const max = this.options.limits.maxSideBandBytes;
    if (this.otherBytes > max)
      throw new GitLimitError(
        'maxSideBandBytes',
        max,
        `${this.options.url} sent more than ${max} bytes of messages and side-band data besides the pack (limits.maxSideBandBytes)`,
      );
  }
}
