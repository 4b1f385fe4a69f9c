import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ChunkList } from '../src/chunk-list.js';
import { GitProtocolError } from '../src/errors.js';
import { Inflater } from '../src/inflater.js';
import { ObjectStore } from '../src/object-store.js';
import { indexPack } from '../src/pack-index.js';
import { memoryStorage } from '../src/storage.js';
import { buildPack, insertDelta, objectId } from './support/fake-git.js';

let dir: string;
/** A pack written by native git, with offset deltas and an empty blob. */
let pack: Buffer;
/** Object id → offset, as `git verify-pack -v` lists them. */
let expected: Map<string, number>;

function git(args: string[], input?: Buffer): Buffer {
  return execFileSync('git', args, {
    cwd: dir,
    input,
    maxBuffer: 64 << 20,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
    },
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pack-index-'));
  git(['init', '-q']);
  const base = Array.from({ length: 300 }, (_, i) => `line ${i}: ${'abcdefghij'.repeat(4)}\n`).join('');
  for (let i = 0; i < 20; i++)
    writeFileSync(join(dir, `f${i}.txt`), base.replace(`line ${i * 9}:`, `edit ${i}:`));
  writeFileSync(join(dir, 'empty'), '');
  git(['add', '.']);
  git(['commit', '-qm', 'one']);
  const objects = git(['rev-list', '--objects', '--all']);
  pack = git(['pack-objects', '--stdout', '--delta-base-offset', '--window=50', '--depth=10'], objects);
  writeFileSync(join(dir, 'test.pack'), pack);
  git(['index-pack', 'test.pack']);
  expected = new Map();
  for (const line of git(['verify-pack', '-v', 'test.idx']).toString('utf8').split('\n')) {
    const m = /^([0-9a-f]{40}) \w+ +\d+ \d+ (\d+)/.exec(line);
    if (m !== null) expected.set(m[1] as string, Number(m[2]));
  }
}, 30_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function chunks(buf: Buffer, size: number): ChunkList {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return new ChunkList(out);
}

describe('indexPack', () => {
  it('finds every object and offset git index-pack finds, however the pack is chunked', () => {
    expect(expected.size).toBe(23); // 21 blobs, a tree, a commit
    const verified = git(['verify-pack', '-v', 'test.idx']).toString('utf8');
    expect(verified).toMatch(/chain length = 1/); // some blobs are deltas
    for (const size of [pack.length, 4096, 97, 7]) {
      const index = indexPack(chunks(pack, size), () => undefined);
      expect(new Map(index.oids.map((oid, i) => [oid, index.offsets[i]]))).toEqual(expected);
      expect(index.checksum).toBe(pack.subarray(pack.length - 20).toString('hex'));
    }
  });

  it('rejects a pack whose object data is corrupt with a protocol error', () => {
    const broken = Buffer.from(pack);
    // Damage one object's zlib data and fix the trailing checksum, so only inflate can notice.
    const offsets = [...expected.values()].sort((a, b) => a - b);
    const at = (offsets[3] as number) + 4;
    broken[at] = (broken[at] as number) ^ 0xff;
    const body = broken.subarray(0, broken.length - 20);
    const sum = createHash('sha1').update(body).digest();
    sum.copy(broken, broken.length - 20);
    expect(() => indexPack(chunks(broken, 64), () => undefined)).toThrow(GitProtocolError);
  });

  it('releases its zlib engine once per pack, whether it indexes the pack or refuses it', () => {
    const close = vi.spyOn(Inflater.prototype, 'close');
    try {
      indexPack(chunks(pack, 4096), () => undefined);
      expect(close).toHaveBeenCalledTimes(1);
      const delta = insertDelta(Buffer.from('a'), Buffer.from('b'));
      const thin = buildPack([{ type: 'ref-delta', baseOid: 'a'.repeat(40), delta }]);
      expect(() => indexPack(chunks(thin, 4096), () => undefined)).toThrow(GitProtocolError);
      expect(close).toHaveBeenCalledTimes(2);
    } finally {
      close.mockRestore();
    }
  });

  it('gives every object its id when its header and data end at a buffer size (1 KiB, 2 KiB)', () => {
    // Whole objects whose `blob <size>\0` header and data take 1022 to 1026 and 2045 to 2049 bytes,
    // each the first object of its pack.
    for (const size of [1012, 1013, 1014, 1015, 1016, 2035, 2036, 2037, 2038, 2039]) {
      const data = Buffer.alloc(size, 0x61);
      data[size - 1] = 0x7a; // the last byte differs from the rest
      const index = indexPack(chunks(buildPack([{ type: 'blob', data }]), 4096), () => undefined);
      expect(index.oids, String(size)).toEqual([objectId('blob', data)]);
    }
  });

  it('applies deltas of every length around 1 KiB after a large object was indexed', () => {
    const base = Buffer.from('b');
    const large = Buffer.alloc((1 << 20) + 1, 0x6c);
    for (let length = 1000; length < 1040; length++) {
      const result = Buffer.alloc(length, 0x72);
      result[length - 1] = 0x7a;
      const pack = buildPack([
        { type: 'blob', data: large },
        { type: 'blob', data: base },
        { type: 'ofs-delta', base: 1, delta: insertDelta(base, result) },
      ]);
      const index = indexPack(chunks(pack, 1 << 16), () => undefined);
      const ids = [objectId('blob', large), objectId('blob', base), objectId('blob', result)];
      expect(index.oids, String(length)).toEqual(ids);
    }
  });
});

describe('ObjectStore reading a pack in memory', () => {
  it('reads every object (deltas and the empty blob too) byte for byte as git cat-file does', () => {
    const store = new ObjectStore(memoryStorage());
    expect(store.addPack(chunks(pack, 97))).toBe(expected.size);
    for (const oid of expected.keys()) {
      const type = git(['cat-file', '-t', oid]).toString('utf8').trim();
      const obj = store.read(oid);
      expect(obj.type).toBe(type);
      expect(obj.data.equals(git(['cat-file', type, oid])), oid).toBe(true);
    }
    store.close();
  });
});
