import { GitProtocolError } from './errors.js';

function readSize(delta: Buffer, start: number): [number, number] {
  let size = 0;
  let shift = 0;
  let pos = start;
  let byte: number;
  do {
    byte = delta[pos++] as number;
    size += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [size, pos];
}

/**
 * Applies a git delta to `base`. A result the delta announces larger than `maxSize` is refused with
 * the error `tooLarge` makes, before anything is allocated.
 */
export function applyDelta(
  base: Buffer,
  delta: Buffer,
  maxSize = Number.POSITIVE_INFINITY,
  tooLarge?: (size: number) => Error,
): Buffer {
  const [baseSize, p1] = readSize(delta, 0);
  if (baseSize !== base.length) throw new GitProtocolError('delta base size mismatch');
  const [resultSize, p2] = readSize(delta, p1);
  if (resultSize > maxSize)
    throw tooLarge?.(resultSize) ?? new GitProtocolError(`delta result of ${resultSize} bytes is too large`);
  const out = Buffer.allocUnsafe(resultSize);
  let pos = p2;
  let outPos = 0;
  while (pos < delta.length) {
    const op = delta[pos++] as number;
    if (op & 0x80) {
      let offset = 0;
      let size = 0;
      if (op & 0x01) offset |= delta[pos++] as number;
      if (op & 0x02) offset |= (delta[pos++] as number) << 8;
      if (op & 0x04) offset |= (delta[pos++] as number) << 16;
      if (op & 0x08) offset += (delta[pos++] as number) * 0x1000000;
      if (op & 0x10) size |= delta[pos++] as number;
      if (op & 0x20) size |= (delta[pos++] as number) << 8;
      if (op & 0x40) size |= (delta[pos++] as number) << 16;
      if (size === 0) size = 0x10000;
      if (offset + size > base.length || outPos + size > resultSize)
        throw new GitProtocolError('corrupt delta copy');
      base.copy(out, outPos, offset, offset + size);
      outPos += size;
    } else if (op !== 0) {
      if (outPos + op > resultSize || pos + op > delta.length)
        throw new GitProtocolError('corrupt delta insert');
      delta.copy(out, outPos, pos, pos + op);
      outPos += op;
      pos += op;
    } else {
      throw new GitProtocolError('corrupt delta opcode 0');
    }
  }
  if (outPos !== resultSize) throw new GitProtocolError('delta result size mismatch');
  return out;
}
