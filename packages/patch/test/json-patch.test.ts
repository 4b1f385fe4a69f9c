import { describe, expect, it } from 'vitest';
import { applyJsonPatch, applyMergePatch, createMergePatch, parseJsonPointer } from '../src/index.js';

describe('applyJsonPatch (RFC 6902)', () => {
  it('applies the RFC operations', () => {
    const doc = { foo: ['bar', 'baz'], a: { b: 1 }, 'x/y': { '~t': 1 } };
    const out = applyJsonPatch(doc, [
      { op: 'add', path: '/foo/1', value: 'qux' },
      { op: 'add', path: '/foo/-', value: 'end' },
      { op: 'replace', path: '/a/b', value: 2 },
      { op: 'copy', from: '/a', path: '/c' },
      { op: 'move', from: '/x~1y/~0t', path: '/moved' },
      { op: 'remove', path: '/foo/0' },
      { op: 'test', path: '/c', value: { b: 2 } },
    ]);
    expect(out).toEqual({ foo: ['qux', 'baz', 'end'], a: { b: 2 }, c: { b: 2 }, 'x/y': {}, moved: 1 });
    expect(doc).toEqual({ foo: ['bar', 'baz'], a: { b: 1 }, 'x/y': { '~t': 1 } });
  });

  it('is all or nothing and fails a test with PATCH_TEST_FAILED', () => {
    expect(() => applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow(
      expect.objectContaining({ code: 'PATCH_TEST_FAILED', path: '/a' }),
    );
  });

  it('refuses leading zeros and moves into a child', () => {
    expect(() => applyJsonPatch({ a: [1, 2] }, [{ op: 'remove', path: '/a/01' }])).toThrow();
    expect(() => applyJsonPatch({ a: { b: {} } }, [{ op: 'move', from: '/a', path: '/a/b/c' }])).toThrow(
      /own children/,
    );
  });

  it('parses pointers', () => {
    expect(parseJsonPointer('')).toEqual([]);
    expect(parseJsonPointer('/a~1b/~0c/')).toEqual(['a/b', '~c', '']);
  });
});

describe('JSON merge patch (RFC 7386)', () => {
  it('follows the RFC examples', () => {
    const cases: Array<[unknown, unknown, unknown]> = [
      [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
      [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
      [{ a: 'b' }, { a: null }, {}],
      [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
      [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
      [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
      [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
      [
        ['a', 'b'],
        ['c', 'd'],
        ['c', 'd'],
      ],
      [{ a: 'b' }, ['c'], ['c']],
      [{ a: 'foo' }, null, null],
      [{ a: 'foo' }, 'bar', 'bar'],
      [{ e: null }, { a: 1 }, { e: null, a: 1 }],
      [[1, 2], { a: 'b', c: null }, { a: 'b' }],
      [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
    ];
    for (const [target, patch, expected] of cases) {
      expect(applyMergePatch(target as never, patch as never)).toEqual(expected);
    }
  });

  it('creates patches that round-trip', () => {
    const a = { x: 1, y: { z: [1, 2], w: 'q' }, gone: true };
    const b = { x: 2, y: { z: [1], v: null }, added: { n: 1 } };
    const patch = createMergePatch(a, b);
    expect(patch).toEqual({ x: 2, y: { z: [1], w: null, v: null }, gone: null, added: { n: 1 } });
    expect(applyMergePatch(a, createMergePatch(a, { x: 1 }))).toEqual({ x: 1 });
  });
});
