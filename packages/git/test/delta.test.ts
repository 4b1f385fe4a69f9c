import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChunkList } from '../src/chunk-list.js';
import { applyDelta } from '../src/delta.js';
import { GitProtocolError } from '../src/errors.js';
import { ObjectStore } from '../src/object-store.js';
import { memoryStorage } from '../src/storage.js';

// Packs written by native git from large, similar files: git's deltas then copy whole 64 KiB runs
// (encoded with copy size 0) and from offsets past 16 bits (a third offset byte). Each object must
// read back byte for byte as `git cat-file` prints it. (A fourth offset byte needs a base over
// 16 MiB: the applyDelta cases below cover it without packing one.)
let dir: string;

function git(args: string[], input?: Buffer): Buffer {
  return execFileSync('git', args, {
    cwd: dir,
    input,
    maxBuffer: 256 << 20,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
    },
  });
}

/** Deterministic text of about `bytes` bytes: numbered lines of pseudo-random words. */
function text(bytes: number, seed: number): string {
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s.toString(36);
  };
  const lines: string[] = [];
  let length = 0;
  for (let i = 0; length < bytes; i++) {
    const line = `${i} ${next()} ${next()} ${next()} ${next()} ${next()} ${next()}\n`;
    lines.push(line);
    length += line.length;
  }
  return lines.join('');
}

let objects: Buffer;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'delta-'));
  git(['init', '-q']);
  const base = text(300_000, 7);
  writeFileSync(join(dir, 'a.txt'), base);
  // Small edits near the start, in the middle and at the end: the rest is copied from the base.
  writeFileSync(
    join(dir, 'b.txt'),
    `${base.slice(0, 100)}X${base.slice(100, 150_000)}INSERTED\n${base.slice(150_000)}tail\n`,
  );
  writeFileSync(join(dir, 'c.txt'), `${base.slice(70_000, 290_000)}${base.slice(0, 70_000)}`);
  git(['add', '.']);
  git(['commit', '-qm', 'large similar files']);
  objects = git(['rev-list', '--objects', '--all']);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function chunks(buf: Buffer, size: number): ChunkList {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return new ChunkList(out);
}

describe('deltas of large similar files, packed by native git', () => {
  for (const [name, flags] of [
    ['offset deltas', ['--delta-base-offset']],
    ['reference deltas', []],
  ] as const) {
    it(`reads every object of a pack with ${name} as git cat-file does`, () => {
      const pack = git(['pack-objects', '--stdout', '--window=50', '--depth=50', ...flags], objects);
      writeFileSync(join(dir, 'test.pack'), pack);
      git(['index-pack', 'test.pack']);
      const listing = git(['verify-pack', '-v', 'test.idx']).toString('utf8');
      const blobs = [...listing.matchAll(/^([0-9a-f]{40}) blob /gm)].map((m) => m[1] as string);
      // Two of the three blobs are stored as deltas.
      expect(listing).toMatch(/chain length = 1: 2 objects|chain length = 2/);
      expect(blobs).toHaveLength(3);
      const store = new ObjectStore(memoryStorage());
      store.addPack(chunks(pack, 1 << 20));
      for (const oid of blobs) {
        expect(store.read(oid).data.equals(git(['cat-file', 'blob', oid])), oid).toBe(true);
      }
      store.close();
    }, 60_000);
  }
});

// The delta format (git's Documentation/gitformat-pack.txt): two sizes as little-endian base-128
// varints (base, result), then instructions. 1xxxxxxx copies: bits 0-3 say which of four offset
// bytes follow, bits 4-6 which of three size bytes; a size of 0 means 0x10000. 0xxxxxxx with
// xxxxxxx ≠ 0 inserts that many literal bytes; 0 is reserved.
function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

/** A copy instruction naming every non-zero byte of offset and size, as git writes them. */
function copy(offset: number, size: number): number[] {
  let op = 0x80;
  const args: number[] = [];
  for (let i = 0; i < 4; i++) {
    const byte = Math.floor(offset / 2 ** (8 * i)) & 0xff;
    if (byte !== 0) {
      op |= 1 << i;
      args.push(byte);
    }
  }
  const encoded = size === 0x10000 ? 0 : size;
  for (let i = 0; i < 3; i++) {
    const byte = (encoded >> (8 * i)) & 0xff;
    if (byte !== 0) {
      op |= 0x10 << i;
      args.push(byte);
    }
  }
  return [op, ...args];
}

const insert = (bytes: string): number[] => [bytes.length, ...Buffer.from(bytes)];
const delta = (baseSize: number, resultSize: number, ...ops: number[][]): Buffer =>
  Buffer.from([...varint(baseSize), ...varint(resultSize), ...ops.flat()]);

/** A delta together with the result-size limit to apply it under. */
const applyDeltaLimit = (d: Buffer, max: number) => Object.assign(d, { max });

function refusal(base: Buffer, d: Buffer & { max?: number }): GitProtocolError {
  try {
    applyDelta(base, d, d.max);
  } catch (err) {
    expect(err).toBeInstanceOf(GitProtocolError);
    return err as GitProtocolError;
  }
  throw new Error('expected a GitProtocolError');
}

describe('applyDelta', () => {
  // A base whose every byte says where it is, so a wrong offset shows.
  const base = Buffer.alloc(0x1030000);
  for (let i = 0; i < base.length; i += 4) base.writeUInt32BE(i, i);

  it('copies with each offset byte and each size byte, size 0 meaning 64 KiB, and inserts', () => {
    for (const [offset, size] of [
      [0, 1],
      [0x12, 0x34],
      [0x1234, 0x5678],
      [0x123456, 0x10000],
      [0x1012345, 0x1abcd],
      [0x1000000, 0x20001],
      [0x10000, 0x100],
    ] as const) {
      const result = applyDelta(
        base,
        delta(base.length, size + 3, insert('ab'), copy(offset, size), insert('c')),
      );
      expect(
        result.equals(
          Buffer.concat([Buffer.from('ab'), base.subarray(offset, offset + size), Buffer.from('c')]),
        ),
      ).toBe(true);
    }
  });

  it('reads a copy with no offset and no size bytes as offset 0, 64 KiB', () => {
    const result = applyDelta(base, delta(base.length, 0x10000, [0x80]));
    expect(result.equals(base.subarray(0, 0x10000))).toBe(true);
  });

  it('an empty result from an empty delta body', () => {
    expect(applyDelta(Buffer.from('abc'), delta(3, 0)).length).toBe(0);
  });

  it('refuses a base of another size', () => {
    expect(refusal(Buffer.from('abcd'), delta(3, 1, insert('x'))).message).toMatch(/base size/);
    expect(refusal(Buffer.from('ab'), delta(3, 1, insert('x'))).message).toMatch(/base size/);
  });

  it('refuses a copy past the end of the base or of the result', () => {
    const small = Buffer.from('0123456789');
    expect(refusal(small, delta(10, 5, copy(6, 5))).message).toMatch(/corrupt delta copy/);
    expect(refusal(small, delta(10, 4, copy(0, 5))).message).toMatch(/corrupt delta copy/);
    // Exactly to the end of each is fine.
    expect(applyDelta(small, delta(10, 4, copy(6, 4))).toString()).toBe('6789');
  });

  it('refuses an insert past the end of the result or of the delta', () => {
    expect(refusal(Buffer.from('ab'), delta(2, 2, insert('xyz'))).message).toMatch(/corrupt delta insert/);
    const truncated = delta(2, 3, insert('xyz')).subarray(0, -1);
    expect(refusal(Buffer.from('ab'), truncated).message).toMatch(/corrupt delta insert/);
    expect(applyDelta(Buffer.from('ab'), delta(2, 3, insert('xyz'))).toString()).toBe('xyz');
  });

  it('refuses a result announced over the limit before building it, with the error asked for', () => {
    const d = delta(2, 10, insert('0123456789'));
    expect(applyDelta(Buffer.from('ab'), d, 10).toString()).toBe('0123456789');
    expect(refusal(Buffer.from('ab'), applyDeltaLimit(d, 9)).message).toBe(
      'delta result of 10 bytes is too large',
    );
    const own = new GitProtocolError('mine');
    expect(() => applyDelta(Buffer.from('ab'), d, 9, () => own)).toThrow(own);
  });

  it('refuses the reserved opcode 0', () => {
    expect(refusal(Buffer.from('ab'), delta(2, 1, [0], insert('x'))).message).toMatch(/opcode 0/);
  });

  it('refuses a delta whose instructions make less than the result size', () => {
    const err = refusal(Buffer.from('ab'), delta(2, 3, insert('xy')));
    expect(err.message).toMatch(/result size mismatch/);
    expect(err.code).toBe('SERVER_ERROR');
  });
});
