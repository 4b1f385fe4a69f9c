import type { JsonObject } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { builtinListSchema, mergeThreeWay } from '../src/index.js';

const schema = builtinListSchema('apps/v1', 'Deployment', 'smp');
const pod = (containers: JsonObject[]): JsonObject => ({ spec: { template: { spec: { containers } } } });
const names = (obj: unknown) =>
  (
    obj as { spec: { template: { spec: { containers: { name: string }[] } } } }
  ).spec.template.spec.containers.map((c) => c.name);

describe('mergeThreeWay', () => {
  it('merges keyed lists by key, keeps live-only elements in place, drops what was applied and removed', () => {
    const last = pod([{ name: 'a' }, { name: 'gone' }]);
    const desired = pod([{ name: 'a', image: 'new' }, { name: 'b' }]);
    const live = pod([
      { name: 'sidecar' },
      { name: 'a', image: 'old', imagePullPolicy: 'Always' },
      { name: 'gone' },
    ]);
    const out = mergeThreeWay(last, desired, live, schema);
    expect(names(out)).toEqual(['sidecar', 'a', 'b']);
    expect(
      (out as ReturnType<typeof pod> & { spec: { template: { spec: { containers: JsonObject[] } } } }).spec
        .template.spec.containers[1],
    ).toEqual({
      name: 'a',
      image: 'new',
      imagePullPolicy: 'Always',
    });
  });

  it('puts desired elements in desired order', () => {
    const desired = pod([{ name: 'b' }, { name: 'a' }]);
    const live = pod([{ name: 'a' }, { name: 'b' }]);
    expect(names(mergeThreeWay(desired, desired, live, schema))).toEqual(['b', 'a']);
  });

  it('orders as kubectl apply (strategic merge) or as server-side apply (granular)', () => {
    const live = pod([{ name: 'a' }, { name: 'x' }]);
    const desired = pod([{ name: 'a' }, { name: 'n' }]);
    expect(names(mergeThreeWay(desired, desired, live, schema))).toEqual(['a', 'n', 'x']);
    expect(names(mergeThreeWay(undefined, desired, live, schema, { granular: true }))).toEqual([
      'a',
      'x',
      'n',
    ]);
    const reordered = pod([{ name: 'b' }, { name: 'a' }]);
    const before = pod([{ name: 'a' }, { name: 'live-only' }, { name: 'b' }]);
    expect(names(mergeThreeWay(undefined, reordered, before, schema, { granular: true }))).toEqual([
      'live-only',
      'b',
      'a',
    ]);
  });

  it('granular merge removes only what was applied', () => {
    const last = { data: { a: '1' } };
    const live = { data: { a: '1', b: '2' } };
    expect(mergeThreeWay(last, {}, live, () => undefined, { granular: true })).toEqual({ data: { b: '2' } });
    expect(mergeThreeWay(last, {}, live, () => undefined)).toEqual({});
  });

  it('replaces a keyed list whose desired elements repeat or lack keys', () => {
    const desired = pod([{ name: 'a' }, { image: 'no-name' }]);
    const live = pod([{ name: 'a', x: 1 }, { name: 'z' }]);
    expect(mergeThreeWay(desired, desired, live, schema)).toEqual(desired);
  });

  it('replaces atomic lists and scalars, merges maps, leaves inputs untouched', () => {
    const last = { a: { x: 1, y: 2 }, list: [1, 2] };
    const desired = { a: { x: 3 }, list: [3] };
    const live = { a: { x: 1, y: 2, z: 9 }, list: [1, 2, 4] };
    const snapshot = JSON.stringify([last, desired, live]);
    expect(mergeThreeWay(last, desired, live, () => undefined)).toEqual({ a: { x: 3, z: 9 }, list: [3] });
    expect(JSON.stringify([last, desired, live])).toBe(snapshot);
  });
});
