import { GitProtocolError } from './errors.js';

/** A parsed pkt-line: data, or one of the special packets. */
export type PktLine =
  | { kind: 'data'; data: Buffer }
  | { kind: 'flush' }
  | { kind: 'delim' }
  | { kind: 'response-end' };

/** Encodes one pkt-line. */
export function pkt(data: string | Buffer): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const head = Buffer.from((body.length + 4).toString(16).padStart(4, '0'), 'latin1');
  return Buffer.concat([head, body]);
}

/** The flush packet `0000`. */
export const FLUSH = Buffer.from('0000', 'latin1');
/** The delimiter packet `0001` (protocol v2). */
export const DELIM = Buffer.from('0001', 'latin1');

/** Parses every pkt-line of `buf`. */
export function* parsePktLines(buf: Buffer, start = 0): Generator<PktLine & { end: number }> {
  let pos = start;
  while (pos < buf.length) {
    if (pos + 4 > buf.length) throw new GitProtocolError('truncated pkt-line header');
    const len = Number.parseInt(buf.toString('latin1', pos, pos + 4), 16);
    if (Number.isNaN(len)) throw new GitProtocolError('malformed pkt-line length');
    if (len === 0) {
      pos += 4;
      yield { kind: 'flush', end: pos };
    } else if (len === 1) {
      pos += 4;
      yield { kind: 'delim', end: pos };
    } else if (len === 2) {
      pos += 4;
      yield { kind: 'response-end', end: pos };
    } else {
      if (len < 4 || pos + len > buf.length) throw new GitProtocolError('truncated pkt-line');
      const data = buf.subarray(pos + 4, pos + len);
      pos += len;
      yield { kind: 'data', data, end: pos };
    }
  }
}

/** The text of a data line without its trailing newline. */
export function lineText(data: Buffer): string {
  const text = data.toString('utf8');
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}
