import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChunkList } from '../src/chunk-list.js';
import { GitProtocolError } from '../src/errors.js';
import { ObjectStore } from '../src/object-store.js';
import { indexPack } from '../src/pack-index.js';
import { memoryStorage } from '../src/storage.js';

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
