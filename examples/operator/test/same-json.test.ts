// sameJson (the status write's "nothing changed" check) against the oracle it replaces: comparing
// JSON.stringify's output (keys in the same order here, as a status rebuilt by the reconcile has).
import { describe, expect, it } from 'vitest';
import { sameJson } from '../src/own-status-writes.js';

const cases: [unknown, unknown][] = [
  [{ a: 1, b: undefined }, { a: 1 }],
  [{ a: 1 }, { a: 1, b: null }],
  [{ a: [1, undefined] }, { a: [1, null] }],
  [{ a: [1, 2] }, { a: [1, 2, 3] }],
  [{ a: { b: 'x', c: undefined } }, { a: { b: 'x' } }],
  [{ a: { b: 'x' } }, { a: { b: 'y' } }],
  [{ a: [] }, { a: {} }],
  [{ a: '1' }, { a: 1 }],
  [
    { sync: { status: 'Synced', revision: 'main@sha1:1' }, resources: [{ kind: 'ConfigMap', name: 'c' }] },
    { sync: { status: 'Synced', revision: 'main@sha1:1' }, resources: [{ kind: 'ConfigMap', name: 'c' }] },
  ],
  [
    { sync: { status: 'Synced' }, resources: [{ kind: 'ConfigMap', name: 'c' }] },
    { sync: { status: 'Synced' }, resources: [{ kind: 'ConfigMap', name: 'd' }] },
  ],
  [null, null],
  [null, {}],
  [{ a: undefined }, {}],
];

describe('sameJson', () => {
  it('answers what comparing the serialized JSON answers', () => {
    for (const [a, b] of cases) {
      expect(sameJson(a, b), JSON.stringify([a, b])).toBe(JSON.stringify(a) === JSON.stringify(b));
      expect(sameJson(b, a)).toBe(JSON.stringify(a) === JSON.stringify(b));
    }
  });
});
