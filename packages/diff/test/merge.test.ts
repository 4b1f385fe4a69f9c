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

// Server-side apply (granular): element orders traced by hand through structured-merge-diff's
// merge of an associative list (merge.go, visitListItems: live on the left, the applied
// configuration on the right, shared elements placed in applied order).
describe('mergeThreeWay, server-side apply', () => {
  const ssa = builtinListSchema('apps/v1', 'Deployment', 'ssa');
  const granular = (last: string[] | undefined, desired: string[], live: string[]) =>
    names(
      mergeThreeWay(
        last === undefined ? undefined : pod(last.map((name) => ({ name }))),
        pod(desired.map((name) => ({ name }))),
        pod(live.map((name) => ({ name }))),
        ssa,
        { granular: true },
      ),
    );

  it('places each shared element where the applied list has it, live-only ones where they are met', () => {
    expect(granular(undefined, ['n', 'a'], ['a', 'x'])).toEqual(['n', 'a', 'x']);
    expect(granular(undefined, ['a'], ['a', 'x'])).toEqual(['a', 'x']);
    expect(granular(undefined, ['a', 'n', 'b'], ['a', 'b', 'y'])).toEqual(['a', 'n', 'b', 'y']);
    expect(granular(undefined, ['n', 'm', 'a'], ['a', 'y'])).toEqual(['n', 'm', 'a', 'y']);
    expect(granular(undefined, ['a', 'b'], ['b', 'a', 'x'])).toEqual(['a', 'x', 'b']);
  });

  it('removes the elements it applied before and no longer applies, keeps the others', () => {
    expect(granular(['a', 'b'], ['a'], ['a', 'b', 'c'])).toEqual(['a', 'c']);
    expect(granular(['a', 'b'], ['b'], ['a', 'x', 'b'])).toEqual(['x', 'b']);
  });

  it('merges a desired element once when live holds it twice, and goes on past it', () => {
    const out = mergeThreeWay(
      undefined,
      pod([{ name: 'a', image: 'new' }]),
      pod([{ name: 'a', image: 'old', x: 1 }, { name: 'a', image: 'old', x: 2 }, { name: 'sidecar' }]),
      ssa,
      { granular: true },
    ) as ReturnType<typeof pod>;
    expect((out.spec as { template: { spec: { containers: unknown[] } } }).template.spec.containers).toEqual([
      { name: 'a', image: 'new', x: 1 },
      { name: 'sidecar' },
    ]);
  });

  it('a map or list it applied whole goes when no longer applied; what others added stays', () => {
    const none = () => undefined;
    expect(mergeThreeWay({ data: { a: '1' } }, {}, { data: { a: '1' } }, none, { granular: true })).toEqual(
      {},
    );
    expect(mergeThreeWay({ list: [1, 2] }, {}, { list: [1, 2] }, none, { granular: true })).toEqual({});
    const keyed = (path: readonly string[]) => (path.join('.') === 'items' ? { keys: ['name'] } : undefined);
    expect(
      mergeThreeWay({ items: [{ name: 'a' }] }, {}, { items: [{ name: 'a' }, { name: 'b' }] }, keyed, {
        granular: true,
      }),
    ).toEqual({ items: [{ name: 'b' }] });
    // A field applied as a scalar (or null) is one field: it goes whole, whatever live holds now.
    expect(mergeThreeWay({ a: 'x' }, {}, { a: { b: 1 } }, none, { granular: true })).toEqual({});
    expect(mergeThreeWay({ a: null }, {}, { a: { b: 1 } }, none, { granular: true })).toEqual({});
    expect(mergeThreeWay({ a: { b: 1 } }, {}, { a: 'now a string' }, none, { granular: true })).toEqual({});
  });

  it('keeps the key fields of an element whose configuration drops one (they identify it)', () => {
    const port = (p: JsonObject) => pod([{ name: 'a', ports: [p] }]);
    const out = mergeThreeWay(
      port({ containerPort: 80, protocol: 'TCP', name: 'http' }),
      port({ containerPort: 80 }),
      port({ containerPort: 80, protocol: 'TCP', name: 'http' }),
      ssa,
      { granular: true },
    ) as ReturnType<typeof pod>;
    expect(
      (out.spec as { template: { spec: { containers: { ports: unknown[] }[] } } }).template.spec.containers[0]
        ?.ports,
    ).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
  });
});

describe('mergeThreeWay, list semantics', () => {
  it('a list whose schema names no key fields is atomic', () => {
    const noKeys = () => ({ keys: [] as string[] });
    expect(mergeThreeWay(undefined, { l: [] }, { l: [{ name: 'x' }] }, noKeys)).toEqual({ l: [] });
    expect(mergeThreeWay(undefined, { l: [{ name: 'a' }] }, { l: [{ name: 'x' }] }, noKeys)).toEqual({
      l: [{ name: 'a' }],
    });
  });
});
