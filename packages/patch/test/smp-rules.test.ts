import type { JsonObject } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { applyStrategicMergePatch, createThreeWayMergePatch, patchSchemaFromData } from '../src/index.js';
import { decodedListCapacity } from '../src/smp/values.js';

// Rules of Kubernetes' strategicpatch package that kubectl cannot show for built-in kinds (no
// built-in map has the replace strategy) or that live in the patch `kubectl apply` composes
// (changes merged into deletions, Go's mergeMap with MergeParallelList off), traced by hand
// through the Go source.

const deployment = (spec: JsonObject, metadata: JsonObject = {}): JsonObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', ...metadata },
  spec,
});

describe('a map with the replace strategy', () => {
  const schema = patchSchemaFromData({
    definitions: {},
    kinds: {
      'example.com/Widget': {
        properties: { spec: { properties: { config: { patchStrategy: 'replace' }, other: {} } } },
      },
    },
  });
  const widget = {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w' },
    spec: { config: { a: 1, b: { c: 2 } }, other: { a: 1 } },
  };

  it('is replaced by the patch, where a map without it is merged', () => {
    const out = applyStrategicMergePatch(
      widget,
      { spec: { config: { b: { d: 3 } }, other: { b: 2 } } },
      { schema },
    );
    expect(out.spec).toEqual({ config: { b: { d: 3 } }, other: { a: 1, b: 2 } });
  });
});

describe('the patch kubectl apply composes (changes merged into deletions)', () => {
  it('keeps a null desired sets where the deletions hold the same map', () => {
    const lastApplied = deployment({ replicas: 3, paused: true });
    const live = deployment({ replicas: 3, paused: true });
    const desired = deployment({ replicas: null });
    const patch = createThreeWayMergePatch(lastApplied, desired, live);
    expect(patch).toEqual({ spec: { paused: null, replicas: null } });
    expect(applyStrategicMergePatch(live, patch).spec).toEqual({});
  });

  it('keeps the nulls inside a map only the changes hold', () => {
    const live = deployment({ replicas: 1, paused: true });
    const desired = deployment({ replicas: 1, paused: null });
    const patch = createThreeWayMergePatch(live, desired, live);
    expect(patch).toEqual({ spec: { paused: null } });
    expect(applyStrategicMergePatch(live, patch).spec).toEqual({ replicas: 1 });
  });

  it('carries a $deleteFromPrimitiveList the desired object holds over as is', () => {
    const lastApplied = deployment({}, { labels: { x: '1' } });
    const live = deployment({}, { labels: { x: '1' }, finalizers: ['f', 'g'] });
    const desired = deployment({}, { '$deleteFromPrimitiveList/finalizers': ['f'] });
    const patch = createThreeWayMergePatch(lastApplied, desired, live);
    expect(patch).toEqual({
      metadata: { labels: null, '$deleteFromPrimitiveList/finalizers': ['f'] },
    });
    expect(applyStrategicMergePatch(live, patch).metadata).toEqual({ name: 'web', finalizers: ['g'] });
  });
});

describe('the entry point', () => {
  const refusal = (fn: () => unknown): unknown => {
    try {
      fn();
    } catch (err) {
      return err;
    }
    throw new Error('expected an error');
  };

  it('names what it got instead of an object', () => {
    expect(refusal(() => applyStrategicMergePatch([] as unknown as JsonObject, {}))).toMatchObject({
      code: 'PATCH_ERROR',
      message: expect.stringContaining('the original of a strategic merge patch must be a JSON object'),
    });
    const cases: Array<[unknown, string]> = [
      [null, 'null'],
      [['a'], 'a list'],
      ['x', 'a string'],
      [3, 'a number'],
    ];
    for (const [patch, what] of cases) {
      expect(refusal(() => applyStrategicMergePatch({}, patch as JsonObject))).toMatchObject({
        code: 'PATCH_ERROR',
        message: expect.stringContaining(`a strategic merge patch must be a JSON object, not ${what}`),
      });
    }
  });

  it('finds the kind in the options, then the original, then the patch', () => {
    const typed = { metadata: { name: 'p', finalizers: ['a'] } };
    const patch = { metadata: { finalizers: ['b'] } };
    // finalizers merge for a Pod; an object of no known kind replaces lists (kustomize).
    expect(applyStrategicMergePatch(typed, patch).metadata).toEqual({ name: 'p', finalizers: ['b'] });
    const merged = { name: 'p', finalizers: ['b', 'a'] };
    expect(applyStrategicMergePatch(typed, patch, { apiVersion: 'v1', kind: 'Pod' }).metadata).toEqual(
      merged,
    );
    expect(applyStrategicMergePatch(typed, { apiVersion: 'v1', kind: 'Pod', ...patch }).metadata).toEqual(
      merged,
    );
    expect(applyStrategicMergePatch({ apiVersion: 'v1', kind: 'Pod', ...typed }, patch).metadata).toEqual(
      merged,
    );
    expect(
      applyStrategicMergePatch({ apiVersion: 'v1', kind: 'Pod', ...typed }, patch, { kind: 'Widget' })
        .metadata,
    ).toEqual({ name: 'p', finalizers: ['b'] });
    expect(
      applyStrategicMergePatch({ apiVersion: 'example.com/v1', kind: 'Pod', ...typed }, patch, {
        apiVersion: 'v1',
      }).metadata,
    ).toEqual(merged);
  });

  it('refusals about the whole document carry no field path', () => {
    for (const err of [
      refusal(() => applyStrategicMergePatch([] as unknown as JsonObject, {})),
      refusal(() => applyStrategicMergePatch({}, null as unknown as JsonObject)),
      refusal(() => applyStrategicMergePatch({}, {}, { untyped: 'error' })),
    ]) {
      expect(err).toMatchObject({ code: 'PATCH_ERROR' });
      expect((err as { path?: string }).path).toBeUndefined();
    }
  });

  it('a field of a known kind that the schema lacks is not merged as an associative list', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { extra: [{ name: 'a' }] } };
    const widget = { ...pod, apiVersion: 'example.com/v1', kind: 'Widget' };
    const patch = { spec: { extra: [{ name: 'b' }] } };
    expect(applyStrategicMergePatch(pod, patch, { untyped: 'associative' }).spec).toEqual({
      extra: [{ name: 'b' }],
    });
    expect(applyStrategicMergePatch(widget, patch, { untyped: 'associative' }).spec).toEqual({
      extra: [{ name: 'b' }, { name: 'a' }],
    });
  });

  it('refuses a kind no schema describes in error mode, naming it', () => {
    const widget = { apiVersion: 'example.com/v1', kind: 'Widget', spec: {} };
    expect(refusal(() => applyStrategicMergePatch(widget, {}, { untyped: 'error' }))).toMatchObject({
      message: expect.stringContaining('strategic merge patch is not supported for Widget (example.com/v1)'),
    });
    expect(refusal(() => applyStrategicMergePatch({}, {}, { untyped: 'error' }))).toMatchObject({
      message: expect.stringContaining('not supported for <no kind> (<no apiVersion>)'),
    });
  });
});

describe("Go's decoded list capacity (where an append writes into the original list)", () => {
  it('doubles from 1 to 512 as items are appended one at a time, and is not modelled past it', () => {
    const expected: Array<[number, number]> = [
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 4],
      [5, 8],
      [8, 8],
      [9, 16],
      [300, 512],
      [512, 512],
      [513, 0],
    ];
    for (const [n, cap] of expected) expect([n, decodedListCapacity(n)]).toEqual([n, cap]);
  });
});

describe('merge-key values that are maps or lists', () => {
  it('never match, not even an equal one (Go cannot compare them): the patch item is added', () => {
    const sa = {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 's' },
      secrets: [{ name: { x: 1 } }, { name: ['l'] }],
    };
    const out = applyStrategicMergePatch(sa, {
      secrets: [
        { name: { x: 1 }, namespace: 'y' },
        { name: ['l'], namespace: 'z' },
      ],
    });
    expect(out.secrets).toHaveLength(4);
    expect(out.secrets).toEqual(
      expect.arrayContaining([{ name: { x: 1 } }, { name: { x: 1 }, namespace: 'y' }, { name: ['l'] }]),
    );
  });
});

describe('$setElementOrder on a list of a kind no schema describes (associative)', () => {
  it('orders the items by the merge key it infers from them', () => {
    const widget = {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w' },
      spec: { items: [{ name: 'a' }, { name: 'b' }] },
    };
    const patch = { spec: { '$setElementOrder/items': [{ name: 'b' }, { name: 'a' }] } };
    expect(applyStrategicMergePatch(widget, patch, { untyped: 'associative' }).spec).toEqual({
      items: [{ name: 'b' }, { name: 'a' }],
    });
  });
});
