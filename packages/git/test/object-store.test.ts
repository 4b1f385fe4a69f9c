import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ChunkList } from '../src/chunk-list.js';
import { GitLimitError, GitNotFoundError, GitProtocolError } from '../src/errors.js';
import { InflateError, Inflater } from '../src/inflater.js';
import { ObjectStore } from '../src/object-store.js';
import { encodePackIndex, indexPack } from '../src/pack-index.js';
import { diskStorage, type GitStorage, memfsStorage, memoryStorage } from '../src/storage.js';
import { buildPack, insertDelta, objectId } from './support/fake-git.js';

// The object store's own contract, on crafted packs: what it keeps in storage and reads back, the
// errors it gives, the limits it applies when reading. (Packs by native git: pack-index.test.ts,
// delta.test.ts.)
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const storages: [string, () => GitStorage][] = [
  ['memory', memoryStorage],
  ['memfs', () => memfsStorage()],
  [
    'disk',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'object-store-'));
      dirs.push(dir);
      return diskStorage(dir);
    },
  ],
];

const base = Buffer.from('the base blob\n'.repeat(30));
const derived = Buffer.from('derived from the base\n'.repeat(10));
const tree = Buffer.concat([Buffer.from('100644 a\0', 'latin1'), Buffer.from(objectId('blob', base), 'hex')]);
const one = () =>
  buildPack([
    { type: 'blob', data: base },
    { type: 'tree', data: tree },
    { type: 'ofs-delta', base: 0, delta: insertDelta(base, derived) },
  ]);
const ids = {
  base: objectId('blob', base),
  derived: objectId('blob', derived),
  tree: objectId('tree', tree),
};
const chunks = (buf: Buffer) => new ChunkList([buf.subarray(0, 40), buf.subarray(40)]);

describe.each(storages)('ObjectStore on %s storage', (_name, make) => {
  it('reads what it stored, also when opened again from the storage', () => {
    const storage = make();
    const store = new ObjectStore(storage);
    expect(store.addPack(chunks(one()))).toBe(3);
    const check = (s: ObjectStore) => {
      expect(s.read(ids.base)).toEqual({ type: 'blob', data: base });
      expect(s.read(ids.tree)).toEqual({ type: 'tree', data: tree });
      expect(s.read(ids.derived)).toEqual({ type: 'blob', data: derived });
      expect(s.has(ids.derived)).toBe(true);
      expect(s.has('0'.repeat(40))).toBe(false);
    };
    check(store);
    store.close();
    const reopened = new ObjectStore(storage);
    expect(reopened.packCount).toBe(1);
    check(reopened);
    reopened.close();
  });

  it('keeps the shallow boundary across openings', () => {
    const storage = make();
    const store = new ObjectStore(storage);
    store.updateShallow(['a'.repeat(40), 'b'.repeat(40)], []);
    store.updateShallow(['c'.repeat(40)], ['a'.repeat(40)]);
    expect([...store.shallow]).toEqual(['b'.repeat(40), 'c'.repeat(40)]);
    expect([...new ObjectStore(storage).shallow]).toEqual(['b'.repeat(40), 'c'.repeat(40)]);
  });

  it('clear drops every pack, index and the shallow list', () => {
    const storage = make();
    const store = new ObjectStore(storage);
    store.addPack(chunks(one()));
    store.updateShallow(['a'.repeat(40)], []);
    store.clear();
    expect(store.packCount).toBe(0);
    expect(store.has(ids.base)).toBe(false);
    expect(store.shallow.size).toBe(0);
    expect(storage.list()).toEqual([]);
    expect(new ObjectStore(storage).packCount).toBe(0);
  });
});

describe('ObjectStore', () => {
  it('an empty pack adds nothing; the same pack twice is held once', () => {
    const storage = memoryStorage();
    const store = new ObjectStore(storage);
    expect(store.addPack(new ChunkList([]))).toBe(0);
    expect(storage.list()).toEqual([]);
    store.addPack(chunks(one()));
    store.addPack(chunks(one()));
    expect(store.packCount).toBe(1);
    expect(store.read(ids.derived).data).toEqual(derived);
  });

  it('opens only an index whose pack is there, and only files named as it names them', () => {
    const storage = memoryStorage();
    const store = new ObjectStore(storage);
    store.addPack(chunks(one()));
    const [idx] = storage.list().filter((n) => n.endsWith('.gkix'));
    const bytes = storage.readFile(idx as string) as Buffer;
    storage.writeFile(`x${idx}`, bytes);
    storage.writeFile(`pack-${'e'.repeat(40)}.gkix`, bytes);
    expect(new ObjectStore(storage).packCount).toBe(1);
    storage.remove((idx as string).replace(/\.gkix$/, '.pack'));
    expect(new ObjectStore(storage).packCount).toBe(0);
  });

  it('refuses an index that is not one', () => {
    const storage = memoryStorage();
    storage.writeFile(`pack-${'e'.repeat(40)}.pack`, Buffer.alloc(40));
    storage.writeFile(`pack-${'e'.repeat(40)}.gkix`, Buffer.from('not an index'));
    expect(() => new ObjectStore(storage)).toThrow(new GitProtocolError('corrupt pack index'));
  });

  it('a missing object and an object of another type are typed errors', () => {
    const store = new ObjectStore(memoryStorage());
    store.addPack(chunks(one()));
    const missing = 'f'.repeat(40);
    expect(() => store.read(missing)).toThrow(GitNotFoundError);
    expect(() => store.read(missing)).toThrow(`object ${missing} is not in the local store`);
    expect(store.readTyped(ids.tree, 'tree')).toEqual(tree);
    expect(() => store.readTyped(ids.base, 'tree')).toThrow(
      new GitProtocolError(`object ${ids.base} is a blob, not a tree`),
    );
  });

  it('resolves a thin pack against the objects of earlier packs, and reads across packs', () => {
    const store = new ObjectStore(memoryStorage());
    store.addPack(chunks(buildPack([{ type: 'blob', data: base }])));
    const next = Buffer.from('next\n');
    const thin = buildPack([{ type: 'ref-delta', baseOid: ids.base, delta: insertDelta(base, next) }]);
    expect(store.addPack(chunks(thin))).toBe(1);
    expect(store.packCount).toBe(2);
    expect(store.read(objectId('blob', next))).toEqual({ type: 'blob', data: next });
  });

  it('objects at the same offset of two packs are not confused', () => {
    const store = new ObjectStore(memoryStorage(), { cacheBytes: 1 << 20 });
    const trees = [0, 1, 2].map((i) =>
      Buffer.concat([Buffer.from(`100644 f${i}\0`, 'latin1'), Buffer.alloc(20, i)]),
    );
    for (const t of trees) store.addPack(chunks(buildPack([{ type: 'tree', data: t }])));
    for (let round = 0; round < 2; round++)
      for (const t of trees) expect(store.read(objectId('tree', t)).data).toEqual(t);
  });

  it('reads the same objects with a cache too small to hold anything, or holding everything', () => {
    for (const cacheBytes of [1, 64, 1 << 20]) {
      const store = new ObjectStore(memoryStorage(), { cacheBytes });
      store.addPack(chunks(one()));
      for (let round = 0; round < 3; round++) {
        expect(store.read(ids.tree).data).toEqual(tree);
        expect(store.read(ids.derived).data).toEqual(derived);
        expect(store.read(ids.base).data).toEqual(base);
      }
    }
  });

  it('refuses pack bytes that no longer inflate, naming the pack and the offset', () => {
    const storage = memoryStorage();
    const store = new ObjectStore(storage);
    const pack = one();
    store.addPack(chunks(pack));
    const name = storage.list().find((n) => n.endsWith('.pack')) as string;
    const broken = Buffer.from(pack);
    const at = 12 + 2 + 5; // inside the first object's zlib stream
    broken[at] = (broken[at] as number) ^ 0xff;
    storage.writeFile(name, broken);
    const reopened = new ObjectStore(storage);
    const checksum = name.slice('pack-'.length, -'.pack'.length);
    expect(() => reopened.read(ids.base)).toThrow(GitProtocolError);
    expect(() => reopened.read(ids.base)).toThrow(
      new RegExp(`^corrupt pack ${checksum}: object at offset 12: `),
    );
    expect(() => reopened.read(ids.base)).toThrow(
      expect.objectContaining({ cause: expect.any(InflateError) }),
    );
  });

  it('refuses a delta whose base is not at an offset its index lists', () => {
    const storage = memoryStorage();
    const pack = one();
    const index = indexPack(new ChunkList([pack]), () => undefined);
    // An index without the base object: the delta's base offset is then no object's.
    const partial = { checksum: index.checksum, oids: index.oids.slice(1), offsets: index.offsets.slice(1) };
    storage.writeFile(`pack-${index.checksum}.pack`, pack);
    storage.writeFile(`pack-${index.checksum}.gkix`, encodePackIndex(partial));
    const store = new ObjectStore(storage);
    expect(store.read(ids.tree).data).toEqual(tree);
    expect(() => store.read(ids.derived)).toThrow(
      new GitProtocolError(`corrupt pack ${index.checksum}: no object at offset 12`),
    );
  });

  it('applies maxObjectBytes when reading, with a delta allowed the instructions such an object needs', () => {
    const storage = memoryStorage();
    const big = Buffer.alloc(1270, 0x2e);
    const pack = buildPack([
      { type: 'blob', data: Buffer.from('b') },
      { type: 'ofs-delta', base: 0, delta: insertDelta(Buffer.from('b'), big) },
      { type: 'blob', data: Buffer.alloc(1271, 0x2f) },
    ]);
    new ObjectStore(storage).addPack(chunks(pack));
    const store = new ObjectStore(storage, { maxObjectBytes: 1270 });
    // The delta's instructions (1284 bytes) are over the limit; the object it makes is not.
    expect(store.read(objectId('blob', big)).data).toEqual(big);
    const whole = objectId('blob', Buffer.alloc(1271, 0x2f));
    expect(() => store.read(whole)).toThrow(GitLimitError);
    const offset = 12 + 1 + deflateSync(Buffer.from('b')).length;
    const tight = new ObjectStore(storage, { maxObjectBytes: 1269 });
    let caught: unknown;
    try {
      tight.read(objectId('blob', big));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(GitLimitError);
    expect(caught).toMatchObject({
      limit: 'maxObjectBytes',
      details: { size: 1270, offset },
      message: `the object at offset ${offset} of the pack is 1270 bytes, over the limit of 1269 bytes (limits.maxObjectBytes)`,
    });
  });
});

describe('ObjectStore cache (inflates counted)', () => {
  /** How many zlib streams `fn` inflates. */
  const inflates = (fn: () => void): number => {
    const spy = vi.spyOn(Inflater.prototype, 'inflateInto');
    try {
      fn();
      return spy.mock.calls.length;
    } finally {
      spy.mockRestore();
    }
  };
  const treeOf = (i: number, size: number) =>
    Buffer.concat([Buffer.from(`100644 f${i}\0`, 'latin1'), Buffer.alloc(size - 9 - String(i).length, i)]);

  it('keeps trees and commits read, not whole blobs', () => {
    const store = new ObjectStore(memoryStorage());
    store.addPack(chunks(one()));
    expect(inflates(() => store.read(ids.tree))).toBe(1);
    expect(inflates(() => store.read(ids.tree))).toBe(0);
    const commit = Buffer.from(`tree ${ids.tree}\nauthor a <a@example.com> 0 +0000\n\nc\n`);
    store.addPack(chunks(buildPack([{ type: 'commit', data: commit }])));
    expect(inflates(() => store.read(objectId('commit', commit)))).toBe(1);
    expect(inflates(() => store.read(objectId('commit', commit)))).toBe(0);
    expect(inflates(() => store.read(ids.base))).toBe(1);
    expect(inflates(() => store.read(ids.base))).toBe(1);
  });

  it('keeps a delta base, so deltas on it inflate only themselves, however many are read', () => {
    const results = Array.from({ length: 6 }, (_, i) => Buffer.from(`result ${i}\n`.repeat(5)));
    const pack = buildPack([
      { type: 'blob', data: base },
      ...results.map((r) => ({ type: 'ofs-delta' as const, base: 0, delta: insertDelta(base, r) })),
    ]);
    // A cache of four times the base: room for it and nothing counted twice.
    const store = new ObjectStore(memoryStorage(), { cacheBytes: 4 * base.length });
    store.addPack(chunks(pack));
    expect(inflates(() => store.read(objectId('blob', results[0] as Buffer)))).toBe(2);
    for (const r of results.slice(1)) {
      let data: Buffer | undefined;
      expect(inflates(() => (data = store.read(objectId('blob', r)).data))).toBe(1);
      expect(data).toEqual(r);
    }
    expect(inflates(() => store.read(ids.base))).toBe(0);
  });

  it('keeps no object larger than a quarter of its size', () => {
    for (const [cacheBytes, again] of [
      [4 * tree.length, 0],
      [4 * tree.length - 1, 1],
    ] as const) {
      const store = new ObjectStore(memoryStorage(), { cacheBytes });
      store.addPack(chunks(one()));
      store.read(ids.tree);
      expect(
        inflates(() => store.read(ids.tree)),
        String(cacheBytes),
      ).toBe(again);
    }
  });

  it('holds 32 MiB by default: a tree of 1 MiB is kept', () => {
    const big = treeOf(0, 1 << 20);
    const store = new ObjectStore(memoryStorage());
    store.addPack(chunks(buildPack([{ type: 'tree', data: big }])));
    store.read(objectId('tree', big));
    expect(inflates(() => store.read(objectId('tree', big)))).toBe(0);
  });

  it('drops the least recently used objects once over its size, and only then', () => {
    const trees = [0, 1, 2, 3, 4].map((i) => treeOf(i, 100));
    const store = new ObjectStore(memoryStorage(), { cacheBytes: 400 });
    store.addPack(chunks(buildPack(trees.map((data) => ({ type: 'tree' as const, data })))));
    const read = (i: number) => inflates(() => store.read(objectId('tree', trees[i] as Buffer)));
    for (const i of [0, 1, 2, 3]) expect(read(i)).toBe(1);
    // Exactly full: everything is still there; reading 0 makes 1 the least recently used.
    for (const i of [1, 2, 3, 0]) expect(read(i), String(i)).toBe(0);
    expect(read(4)).toBe(1);
    expect(read(1)).toBe(1); // dropped for 4; reading it back drops 2
    expect(read(0)).toBe(0);
    expect(read(3)).toBe(0);
    expect(read(2)).toBe(1);
  });

  it('clear forgets what it cached: a new pack at the same offsets is read, not the old objects', () => {
    const store = new ObjectStore(memoryStorage());
    const [a, b] = [treeOf(1, 60), treeOf(2, 60)];
    store.addPack(chunks(buildPack([{ type: 'tree', data: a }])));
    expect(store.read(objectId('tree', a)).data).toEqual(a);
    store.clear();
    store.addPack(chunks(buildPack([{ type: 'tree', data: b }])));
    expect(store.read(objectId('tree', b)).data).toEqual(b);
  });
});

describe('ObjectStore edges', () => {
  it('applies deltas of every length around 1 KiB, each read by a new store', () => {
    const small = Buffer.from('b');
    for (let length = 1000; length < 1040; length++) {
      const result = Buffer.alloc(length, 0x72);
      result[length - 1] = 0x7a;
      const storage = memoryStorage();
      new ObjectStore(storage).addPack(
        chunks(
          buildPack([
            { type: 'blob', data: small },
            { type: 'ofs-delta', base: 0, delta: insertDelta(small, result) },
          ]),
        ),
      );
      expect(new ObjectStore(storage).read(objectId('blob', result)).data, String(length)).toEqual(result);
    }
  });

  it('applies its own maxObjectBytes when indexing a pack', () => {
    const store = new ObjectStore(memoryStorage(), { maxObjectBytes: 100 });
    expect(() => store.addPack(chunks(buildPack([{ type: 'blob', data: Buffer.alloc(101) }])))).toThrow(
      GitLimitError,
    );
    expect(store.addPack(chunks(buildPack([{ type: 'blob', data: Buffer.alloc(100) }])))).toBe(1);
    // An object of exactly the limit is read.
    expect(store.read(objectId('blob', Buffer.alloc(100))).data).toEqual(Buffer.alloc(100));
  });

  it('a thin pack whose base it does not hold is a protocol error naming the base', () => {
    const store = new ObjectStore(memoryStorage());
    store.addPack(chunks(buildPack([{ type: 'tree', data: tree }])));
    const thin = buildPack([{ type: 'ref-delta', baseOid: ids.base, delta: insertDelta(base, derived) }]);
    expect(() => store.addPack(chunks(thin))).toThrow(
      new GitProtocolError(`corrupt pack: delta base ${ids.base} is missing`),
    );
  });

  it('opens only indexes named exactly pack-<checksum>.gkix', () => {
    const storage = memoryStorage();
    const store = new ObjectStore(storage);
    store.addPack(chunks(one()));
    const [idx] = storage.list().filter((n) => n.endsWith('.gkix'));
    storage.writeFile(`${idx}.old`, storage.readFile(idx as string) as Buffer);
    storage.remove(idx as string);
    expect(new ObjectStore(storage).packCount).toBe(0);
    storage.writeFile(`x${idx}`, storage.readFile(`${idx}.old`) as Buffer);
    expect(new ObjectStore(storage).packCount).toBe(0);
    // Upper-case hex is not a name it gives.
    storage.writeFile(`pack-${'E'.repeat(40)}.gkix`, storage.readFile(`${idx}.old`) as Buffer);
    storage.writeFile(`pack-${'E'.repeat(40)}.pack`, one());
    expect(new ObjectStore(storage).packCount).toBe(0);
  });

  it('close releases every pack file it opened and its zlib engine', () => {
    const opened: string[] = [];
    const closed: string[] = [];
    const inner = memoryStorage();
    const storage: GitStorage = {
      ...inner,
      open(name) {
        const reader = inner.open(name);
        opened.push(name);
        return { ...reader, close: () => closed.push(name) };
      },
    };
    const store = new ObjectStore(storage);
    store.addPack(chunks(one()));
    store.addPack(chunks(buildPack([{ type: 'blob', data: derived }])));
    store.read(ids.base);
    const close = vi.spyOn(Inflater.prototype, 'close');
    try {
      store.close();
      expect(close).toHaveBeenCalledTimes(1);
    } finally {
      close.mockRestore();
    }
    expect(opened).toHaveLength(2);
    expect(closed.sort()).toEqual(opened.sort());
  });
});
