import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChunkList } from '../src/chunk-list.js';
import { GitLimitError, GitProtocolError } from '../src/errors.js';
import type { GitObject } from '../src/git-objects.js';
import { InflateError } from '../src/inflater.js';
import { indexPack, maxDeltaBytes } from '../src/pack-index.js';
import { buildPack, insertDelta, objectId, signPack } from './support/fake-git.js';

// The pack format (git's Documentation/gitformat-pack.txt) at its edges: crafted packs, each also
// handed to native `git index-pack`, which must agree (same objects at the same offsets, or a
// refusal too).
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pack-format-'));
  execFileSync('git', ['init', '-q'], { cwd: dir });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let packs = 0;
/** What native git's index-pack makes of `pack`: oid → offset, or undefined when it refuses it. */
function nativeIndex(pack: Buffer, fixThin = false): Map<string, number> | undefined {
  const name = `p${packs++}.pack`;
  writeFileSync(join(dir, name), pack);
  try {
    const args = fixThin ? ['index-pack', '--stdin', '--fix-thin'] : ['index-pack', name];
    execFileSync('git', args, {
      cwd: dir,
      stdio: ['pipe', 'pipe', 'pipe'],
      input: fixThin ? pack : undefined,
    });
  } catch {
    return undefined;
  }
  if (fixThin) return new Map();
  const listing = execFileSync('git', ['verify-pack', '-v', name.replace(/\.pack$/, '.idx')], { cwd: dir });
  const out = new Map<string, number>();
  for (const line of listing.toString('utf8').split('\n')) {
    const m = /^([0-9a-f]{40}) \w+ +\d+ \d+ (\d+)/.exec(line);
    if (m !== null) out.set(m[1] as string, Number(m[2]));
  }
  return out;
}

const ours = (pack: Buffer, external: (oid: string) => GitObject | undefined = () => undefined) => {
  const index = indexPack(new ChunkList([pack]), external);
  return new Map(index.oids.map((oid, i) => [oid, index.offsets[i] as number]));
};

function refusal(pack: Buffer, options: { maxObjectBytes?: number } = {}): Error {
  try {
    indexPack(new ChunkList([pack]), () => undefined, options);
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a refusal');
}

const blob = (text: string) => ({ type: 'blob' as const, data: Buffer.from(text) });

describe('pack headers', () => {
  it('reads versions 2 and 3 alike and refuses others, as git does', () => {
    const entries = [blob('one\n'), blob('two\n')];
    for (const version of [2, 3]) {
      const pack = buildPack(entries, version);
      expect(ours(pack)).toEqual(nativeIndex(pack));
    }
    for (const version of [1, 4]) {
      const pack = buildPack(entries, version);
      expect(nativeIndex(pack)).toBeUndefined();
      const err = refusal(pack);
      expect(err).toBeInstanceOf(GitProtocolError);
      expect(err.message).toBe(`unsupported pack version ${version}`);
    }
  });

  it('an empty pack is 32 bytes; anything shorter or without the magic is not a pack', () => {
    const empty = buildPack([]);
    expect(empty.length).toBe(32);
    expect(ours(empty)).toEqual(new Map());
    expect(nativeIndex(empty)).toEqual(new Map());
    for (const bad of [empty.subarray(0, 31), Buffer.concat([Buffer.from('KCAP'), empty.subarray(4)])]) {
      const err = refusal(bad);
      expect(err).toBeInstanceOf(GitProtocolError);
      expect(err.message).toBe('not a pack file');
    }
  });

  it('refuses a pack whose checksum does not match its bytes', () => {
    const pack = buildPack([blob('x\n')]);
    pack[pack.length - 1] = (pack[pack.length - 1] as number) ^ 1;
    expect(nativeIndex(pack)).toBeUndefined();
    expect(refusal(pack).message).toBe('corrupt pack: checksum mismatch');
  });

  it('refuses a count the pack cannot hold before anything else, and only such a count', () => {
    const one = buildPack([blob('x\n')]);
    const body = Buffer.from(one.subarray(0, one.length - 20));
    // Every object takes at least two bytes: this body holds at most (length - 12) / 2 of them.
    const room = (body.length - 12) / 2;
    body.writeUInt32BE(Math.floor(room) + 1, 8);
    const tooMany = signPack(body);
    expect(nativeIndex(tooMany)).toBeUndefined();
    expect(refusal(tooMany).message).toBe(
      `corrupt pack: ${Math.floor(room) + 1} objects announced in ${tooMany.length} bytes`,
    );
    // Two bytes after the header and a count of one: room for it, so it is read (and found corrupt).
    const tight = Buffer.alloc(14);
    tight.write('PACK', 0, 'latin1');
    tight.writeUInt32BE(2, 4);
    tight.writeUInt32BE(1, 8);
    tight[12] = 0x31; // a blob of one byte
    tight[13] = 0x78; // the first byte of a zlib stream, and no more
    const err = refusal(signPack(tight));
    expect(err).toBeInstanceOf(GitProtocolError);
    expect(err.message).toBe('corrupt pack: cannot inflate the object at offset 13');
  });

  it('refuses bytes after the last object', () => {
    const one = buildPack([blob('x\n')]);
    const padded = signPack(Buffer.concat([one.subarray(0, one.length - 20), Buffer.alloc(4)]));
    expect(nativeIndex(padded)).toBeUndefined();
    expect(refusal(padded).message).toBe('corrupt pack: trailing data');
  });

  it('refuses the unused object types 0 and 5, naming the offset', () => {
    for (const type of [0, 5]) {
      const one = buildPack([blob('x\n'), blob('y\n')]);
      const body = Buffer.from(one.subarray(0, one.length - 20));
      const second = 12 + 1 + deflateSync(Buffer.from('x\n')).length;
      body[second] = (type << 4) | ((body[second] as number) & 0x0f);
      const pack = signPack(body);
      expect(nativeIndex(pack)).toBeUndefined();
      const err = refusal(pack);
      expect(err).toBeInstanceOf(GitProtocolError);
      expect(err.message).toBe(`corrupt pack: unknown object type ${type} at offset ${second}`);
    }
  });

  it('reads object sizes of one to four header bytes', () => {
    const sizes = [0, 15, 16, 2047, 2048, 262143, 262144];
    const pack = buildPack(sizes.map((n) => ({ type: 'blob' as const, data: Buffer.alloc(n, 0x61) })));
    const index = ours(pack);
    expect(index).toEqual(nativeIndex(pack));
    expect([...index.keys()]).toEqual(sizes.map((n) => objectId('blob', Buffer.alloc(n, 0x61))));
  });
});

describe('deltas', () => {
  const base = Buffer.from('the base object\n'.repeat(40));
  const result = (i: number) => Buffer.from(`result ${i}\n`.repeat(20));

  it('resolves offset and reference deltas, chains of them, in any order of the pack', () => {
    const pack = buildPack([
      { type: 'blob', data: base },
      { type: 'ofs-delta', base: 0, delta: insertDelta(base, result(1)) },
      { type: 'ref-delta', baseOid: objectId('blob', result(1)), delta: insertDelta(result(1), result(2)) },
      { type: 'ofs-delta', base: 2, delta: insertDelta(result(2), result(3)) },
      { type: 'ofs-delta', base: 0, delta: insertDelta(base, result(4)) },
    ]);
    const index = ours(pack);
    expect(index).toEqual(nativeIndex(pack));
    expect([...index.keys()]).toEqual(
      [base, result(1), result(2), result(3), result(4)].map((d) => objectId('blob', d)),
    );
  });

  it('offset deltas reach bases far behind (offsets of several bytes)', () => {
    const filler = Array.from({ length: 400 }, (_, i) => ({
      type: 'blob' as const,
      // Incompressible: each a chain of SHA-256 digests.
      data: Buffer.concat(
        Array.from({ length: 16 }, (_, j) => createHash('sha256').update(`${i}:${j}`).digest()),
      ),
    }));
    const entries = [{ type: 'blob' as const, data: base }, ...filler];
    const pack = buildPack([...entries, { type: 'ofs-delta', base: 0, delta: insertDelta(base, result(9)) }]);
    expect(pack.length).toBeGreaterThan(16_384 + 128); // a base offset of three bytes
    const index = ours(pack);
    expect(index).toEqual(nativeIndex(pack));
    expect(index.has(objectId('blob', result(9)))).toBe(true);
  });

  it('a thin pack: a reference delta on a base outside the pack is read through external', () => {
    const baseOid = objectId('blob', base);
    const thin = buildPack([{ type: 'ref-delta', baseOid, delta: insertDelta(base, result(1)) }]);
    const asked: string[] = [];
    const index = ours(thin, (oid) => {
      asked.push(oid);
      return oid === baseOid ? { type: 'blob', data: base } : undefined;
    });
    expect(asked).toEqual([baseOid]);
    expect([...index.keys()]).toEqual([objectId('blob', result(1))]);
    // Native git takes it only with --fix-thin, given the base.
    expect(nativeIndex(thin)).toBeUndefined();
    const err = refusal(thin);
    expect(err).toBeInstanceOf(GitProtocolError);
    expect(err.message).toBe(`corrupt pack: delta base ${baseOid} is missing`);
  });

  it('a thin pack: a chain of reference deltas asks external only for the base outside the pack', () => {
    const baseOid = objectId('blob', base);
    const thin = buildPack([
      { type: 'ref-delta', baseOid, delta: insertDelta(base, result(1)) },
      { type: 'ref-delta', baseOid: objectId('blob', result(1)), delta: insertDelta(result(1), result(2)) },
    ]);
    const asked: string[] = [];
    const index = ours(thin, (oid) => {
      asked.push(oid);
      return oid === baseOid ? { type: 'blob', data: base } : undefined;
    });
    expect(asked).toEqual([baseOid]);
    expect([...index.keys()]).toEqual([objectId('blob', result(1)), objectId('blob', result(2))]);
  });

  it('a delta is an object of its base type', () => {
    const tree = Buffer.concat([Buffer.from('100644 a\0', 'latin1'), Buffer.alloc(20, 1)]);
    const tree2 = Buffer.concat([Buffer.from('100644 b\0', 'latin1'), Buffer.alloc(20, 2)]);
    const pack = buildPack([
      { type: 'tree', data: tree },
      { type: 'ofs-delta', base: 0, delta: insertDelta(tree, tree2) },
    ]);
    expect([...ours(pack).keys()]).toEqual([objectId('tree', tree), objectId('tree', tree2)]);
    expect(ours(pack)).toEqual(nativeIndex(pack));
  });

  it('refuses an offset delta whose base is not an object of the pack', () => {
    const pack = buildPack([
      blob('first\n'),
      { type: 'ofs-delta', base: 0, delta: insertDelta(Buffer.from('first\n'), Buffer.from('x')) },
    ]);
    // Point the delta one byte after the first object's start.
    const body = Buffer.from(pack.subarray(0, pack.length - 20));
    const at = 12 + 1 + deflateSync(Buffer.from('first\n')).length;
    body[at + 1] = (body[at + 1] as number) - 1;
    const broken = signPack(body);
    expect(nativeIndex(broken)).toBeUndefined();
    expect(refusal(broken).message).toBe(`corrupt pack: unresolved delta at offset ${at}`);
  });

  it('takes a delta as long as the largest one an object of the limit can need, and no longer', () => {
    const max = 1270;
    const pack = (declaredSize?: number) =>
      buildPack([
        blob('b'),
        {
          type: 'ofs-delta',
          base: 0,
          delta: insertDelta(Buffer.from('b'), Buffer.alloc(max, 0x2e)),
          ...(declaredSize === undefined ? {} : { declaredSize }),
        },
      ]);
    // Inserting all 1270 bytes takes 1280 bytes of instructions and two sizes: more than the limit.
    const delta = insertDelta(Buffer.from('b'), Buffer.alloc(max, 0x2e));
    expect(delta.length).toBeGreaterThan(max);
    const index = indexPack(new ChunkList([pack()]), () => undefined, { maxObjectBytes: max });
    expect(index.oids[1]).toBe(objectId('blob', Buffer.alloc(max, 0x2e)));
    // A delta that announces more than any object of the limit could need is refused unread.
    const over = refusal(pack(maxDeltaBytes(max) + 1), { maxObjectBytes: max });
    expect(over).toBeInstanceOf(GitLimitError);
    expect(over.message).toBe(
      `the object at offset ${12 + 1 + deflateSync(Buffer.from('b')).length} of the pack is ${maxDeltaBytes(max) + 1} bytes, over the limit of ${max} bytes (limits.maxObjectBytes)`,
    );
    // One byte less is read (and its lie about its size found).
    const lie = refusal(pack(maxDeltaBytes(max)), { maxObjectBytes: max });
    expect(lie).toBeInstanceOf(GitProtocolError);
    expect(lie).not.toBeInstanceOf(GitLimitError);
    // A delta announcing twice the limit is refused unread, whatever it holds.
    const twice = refusal(pack(2 * max), { maxObjectBytes: max });
    expect(twice).toBeInstanceOf(GitLimitError);
    expect(twice.message).toMatch(new RegExp(`is ${2 * max} bytes, over the limit of ${max} bytes`));
    // A whole object gets no such allowance.
    const whole = refusal(buildPack([blob('x'.repeat(max + 1))]), { maxObjectBytes: max });
    expect(whole).toBeInstanceOf(GitLimitError);
    expect(
      indexPack(new ChunkList([buildPack([blob('x'.repeat(max))])]), () => undefined, { maxObjectBytes: max })
        .oids,
    ).toHaveLength(1);
  });

  it('refuses a delta whose result is over the limit before building it', () => {
    const pack = buildPack([
      blob('b'),
      { type: 'ofs-delta', base: 0, delta: insertDelta(Buffer.from('b'), Buffer.alloc(101)) },
    ]);
    const err = refusal(pack, { maxObjectBytes: 100 });
    expect(err).toBeInstanceOf(GitLimitError);
    expect(err.message).toMatch(/is 101 bytes, over the limit of 100 bytes/);
  });
});

describe('zlib streams', () => {
  /** A zlib stream of `data` after `empty` empty stored blocks: valid, longer than deflate makes. */
  function padded(data: Buffer, empty: number): Buffer {
    const raw = deflateSync(data);
    const header = raw.subarray(0, 2);
    const body = raw.subarray(2);
    const emptyBlock = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);
    return Buffer.concat([header, ...Array.from({ length: empty }, () => emptyBlock), body]);
  }

  it('reads an object whose stream is longer than deflate would ever make it', () => {
    const data = Buffer.from('padded\n');
    const pack = buildPack([{ type: 'blob', data, zlib: padded(data, 40) }, blob('after\n')]);
    const index = ours(pack);
    expect(index).toEqual(nativeIndex(pack));
    expect([...index.keys()]).toEqual([objectId('blob', data), objectId('blob', Buffer.from('after\n'))]);
  });

  it('refuses a stream that does not inflate, naming where it starts', () => {
    const garbage = Buffer.from([0x78, 0x9c, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    const pack = buildPack([{ type: 'blob', data: Buffer.from('x'), zlib: garbage }]);
    expect(nativeIndex(pack)).toBeUndefined();
    const err = refusal(pack);
    expect(err).toBeInstanceOf(GitProtocolError);
    expect(err.message).toBe('corrupt pack: cannot inflate the object at offset 13');
    expect(err.cause).toBeInstanceOf(InflateError);
  });
});
