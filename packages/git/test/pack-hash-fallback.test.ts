import { describe, expect, it, vi } from 'vitest';
import { ChunkList } from '../src/chunk-list.js';
import { indexPack } from '../src/pack-index.js';
import { buildPack, insertDelta, objectId } from './support/fake-git.js';

// Node before 20.12 has no crypto.hash: the pack is then hashed through a Hash object. This file
// runs the indexer as it runs there.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, hash: undefined };
});

describe('indexPack without crypto.hash (Node < 20.12)', () => {
  it('gives every object the id git gives it', async () => {
    expect((await import('node:crypto')).hash).toBeUndefined();
    const base = Buffer.from('base\n'.repeat(50));
    const derived = Buffer.from('derived\n');
    const empty = Buffer.alloc(0);
    const pack = buildPack([
      { type: 'blob', data: base },
      { type: 'blob', data: empty },
      { type: 'ofs-delta', base: 0, delta: insertDelta(base, derived) },
    ]);
    const index = indexPack(new ChunkList([pack]), () => undefined);
    expect(index.oids).toEqual([objectId('blob', base), objectId('blob', empty), objectId('blob', derived)]);
  });
});
