import type { JsonObject, JsonValue } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import {
  applyStrategicMergePatch,
  createThreeWayMergePatch,
  createTwoWayMergePatch,
  patchSchemaFromData,
} from '../src/index.js';

// The rules of patch creation that kubectl cannot show through `kubectl apply` (its refusals carry
// no path; `--overwrite=false` always conflicts on the last-applied annotation itself), asserted
// from Kubernetes' strategicpatch: errors with their code, path and message, and the conflicts of
// MergingMapsHaveConflicts.

const pod = (spec: JsonObject): JsonObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p' },
  spec: { containers: [{ name: 'app', image: 'app:1' }], ...spec },
});
const containers = (...items: JsonObject[]): JsonObject => pod({ containers: items });
const c = (name: string, image = `${name}:1`, extra: JsonObject = {}): JsonObject => ({
  name,
  image,
  ...extra,
});
const args = (list: JsonValue[]): JsonObject => containers(c('app', 'app:1', { args: list }));
const finalized = (finalizers: string[]): JsonObject => ({ ...pod({}), metadata: { name: 'p', finalizers } });

/** The error `fn` throws, as plain fields. */
function errorOf(fn: () => unknown): { code?: string; path?: string; message?: string } {
  try {
    fn();
  } catch (err) {
    const e = err as { code?: string; path?: string; message?: string };
    return { code: e.code, path: e.path, message: e.message };
  }
  throw new Error('expected an error');
}

/** The path of the conflict `createThreeWayMergePatch` reports without overwrite, or undefined. */
function conflictAt(lastApplied: JsonObject, live: JsonObject, desired: JsonObject): string | undefined {
  try {
    createThreeWayMergePatch(lastApplied, desired, live, { overwrite: false });
    return undefined;
  } catch (err) {
    expect((err as { code?: string }).code).toBe('PATCH_CONFLICT');
    return (err as { path?: string }).path ?? '';
  }
}

describe('patch creation refusals', () => {
  it('refuses documents that are not objects, naming which', () => {
    const obj = pod({});
    expect(errorOf(() => createTwoWayMergePatch([] as unknown as JsonObject, obj))).toEqual({
      code: 'PATCH_ERROR',
      path: undefined,
      message: 'both documents of a two-way merge patch must be JSON objects',
    });
    expect(errorOf(() => createThreeWayMergePatch(obj, obj, 'x' as unknown as JsonObject))).toEqual({
      code: 'PATCH_ERROR',
      path: undefined,
      message: 'the desired and live documents of a three-way merge patch must be JSON objects',
    });
    expect(errorOf(() => createThreeWayMergePatch(null as unknown as JsonObject, obj, obj))).toEqual({
      code: 'PATCH_ERROR',
      path: undefined,
      message: 'the last-applied document of a three-way merge patch must be a JSON object',
    });
  });

  it('names the list whose item lacks its merge key, in desired, last-applied and live', () => {
    const noName = containers({ image: 'x:1' });
    const message = 'field spec.containers: list item {image} does not contain the merge key "name"';
    const expected = { code: 'PATCH_ERROR', path: 'spec.containers', message };
    // Desired: found comparing live with desired.
    expect(errorOf(() => createThreeWayMergePatch(containers(c('a')), noName, containers(c('a'))))).toEqual(
      expected,
    );
    // Last-applied: found looking for deletions.
    expect(errorOf(() => createThreeWayMergePatch(noName, containers(c('a')), containers(c('a'))))).toEqual(
      expected,
    );
    // Live, when desired no longer has the list: found only looking for changes made on live.
    const desired = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} };
    expect(createThreeWayMergePatch(containers(c('a')), desired, noName)).toEqual({
      spec: { containers: null },
    });
    expect(
      errorOf(() => createThreeWayMergePatch(containers(c('a')), desired, noName, { overwrite: false })),
    ).toEqual(expected);
  });

  it('refuses a $patch that is not a string, at its path', () => {
    const sc = (v: JsonValue) => pod({ securityContext: { $patch: v, runAsUser: 1 } });
    const expected = {
      code: 'PATCH_ERROR',
      path: 'spec.securityContext.$patch',
      message: 'field spec.securityContext.$patch: invalid value for $patch',
    };
    expect(errorOf(() => createTwoWayMergePatch(sc(1), sc('replace')))).toEqual(expected);
    expect(errorOf(() => createTwoWayMergePatch(sc('replace'), sc(2)))).toEqual(expected);
    expect(errorOf(() => createTwoWayMergePatch(sc(1), sc(2)))).toEqual(expected);
    // Strings: the modified one when it differs, nothing when alike.
    expect(createTwoWayMergePatch(sc('replace'), sc('delete'))).toEqual({
      spec: { securityContext: { $patch: 'delete' } },
    });
    expect(createTwoWayMergePatch(sc('replace'), sc('replace'))).toEqual({});
  });

  it('refuses an unknown $patch on the whole object, at its path', () => {
    const desired = { ...pod({}), $patch: 'bogus' };
    expect(errorOf(() => createThreeWayMergePatch(pod({}), desired, pod({})))).toEqual({
      code: 'PATCH_ERROR',
      path: '$patch',
      message: 'field $patch: unknown patch type "bogus" in $patch: expected replace or delete',
    });
  });

  it('refuses a merged list of objects that has no merge key', () => {
    const f = (v: JsonValue[]) => ({ ...pod({}), metadata: { name: 'p', finalizers: v } });
    expect(errorOf(() => createTwoWayMergePatch(f([{ a: 1 }]), f([{ a: 2 }])))).toEqual({
      code: 'PATCH_ERROR',
      path: 'metadata.finalizers',
      message: 'field metadata.finalizers: cannot merge lists of objects without a merge key',
    });
  });
});

describe('conflicts without overwrite (MergingMapsHaveConflicts)', () => {
  it('names the field in the error, or the object for a directive on the whole of it', () => {
    const err = errorOf(() =>
      createThreeWayMergePatch(args(['x']), args(['w']), args(['y']), { overwrite: false }),
    );
    expect(err).toEqual({
      code: 'PATCH_CONFLICT',
      path: 'spec.containers[name=app].args[0]',
      message:
        'field spec.containers[name=app].args[0]: the desired change to spec.containers[name=app].args[0] conflicts with a change made on the live object since the last apply',
    });
    // A directive on the whole object: the last apply sent one, live holds another, desired none.
    const whole = errorOf(() =>
      createThreeWayMergePatch(
        { ...pod({}), $patch: 'delete' },
        pod({}),
        { ...pod({}), $patch: 'replace' },
        {
          overwrite: false,
        },
      ),
    );
    expect(whole).toEqual({
      code: 'PATCH_CONFLICT',
      path: undefined,
      message:
        'the desired change to the object conflicts with a change made on the live object since the last apply',
    });
  });

  it('items of merged lists: by merge key, a deletion against a change, changes to the same field', () => {
    const ab = containers(c('a'), c('b'));
    expect(conflictAt(ab, containers(c('a'), c('b', 'b:2')), containers(c('a')))).toBe(
      'spec.containers[name=b]',
    );
    // Deleted on both sides alike: no conflict.
    expect(conflictAt(ab, containers(c('a')), containers(c('a')))).toBeUndefined();
    expect(conflictAt(containers(c('a')), containers(c('a', 'a:2')), containers(c('a', 'a:3')))).toBe(
      'spec.containers[name=a].image',
    );
    expect(
      conflictAt(containers(c('a')), containers(c('a', 'a:2')), containers(c('a', 'a:2'))),
    ).toBeUndefined();
    // Different items, or items added on each side: nothing in common.
    const bMoved = containers(c('a'), c('b', 'b:1', { workingDir: '/w' }));
    expect(conflictAt(ab, bMoved, containers(c('a', 'a:2'), c('b')))).toBeUndefined();
    expect(
      conflictAt(containers(c('a')), containers(c('a'), c('l')), containers(c('a'), c('d'))),
    ).toBeUndefined();
  });

  it('merged lists of values never conflict', () => {
    expect(conflictAt(finalized(['a']), finalized(['a', 'b']), finalized(['a', 'c']))).toBeUndefined();
    expect(conflictAt(finalized(['a', 'b']), finalized(['b']), finalized(['b', 'c']))).toBeUndefined();
  });

  it('atomic lists: by length, then item by item, values sorted', () => {
    expect(conflictAt(args(['x']), args(['y', 'z']), args(['w']))).toBe('spec.containers[name=app].args');
    expect(conflictAt(args(['x']), args(['y']), args([]))).toBe('spec.containers[name=app].args');
    expect(conflictAt(args(['x']), args([]), args(['w']))).toBe('spec.containers[name=app].args');
    expect(conflictAt(args(['x', 'y']), args(['x', 'z']), args(['w', 'y']))).toBe(
      'spec.containers[name=app].args[0]',
    );
    // The same values in another order, or repeated: alike once sorted and deduplicated.
    expect(conflictAt(args(['c']), args(['a', 'b']), args(['b', 'a']))).toBeUndefined();
    expect(conflictAt(args(['c']), args(['a', 'b', 'a']), args(['b', 'a', 'b']))).toBeUndefined();
  });

  it('atomic lists of maps: item by item, in order', () => {
    const terms = (list: JsonValue[]) =>
      pod({
        affinity: {
          nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: list } },
        },
      });
    const field = (key: string, v: string) => ({ matchFields: [{ key, operator: 'In', values: [v] }] });
    const at = 'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms';
    expect(conflictAt(terms([field('a', '1')]), terms([field('a', '2')]), terms([field('a', '3')]))).toBe(
      `${at}[0].matchFields[0].values[0]`,
    );
    expect(
      conflictAt(
        terms([field('a', '1')]),
        terms([field('a', '1'), field('b', '1')]),
        terms([field('b', '1'), field('a', '1')]),
      ),
    ).toBe(`${at}[0].matchFields[0].key`);
    // Two empty lists where both sides change the list around them: refused as Go's
    // sliceElementType refuses them (kubectl apply --overwrite=false fails the same way).
    const empty = errorOf(() =>
      createThreeWayMergePatch(
        terms([{ matchExpressions: [{ key: 'a', operator: 'Exists' }] }]),
        terms([{ matchExpressions: [], matchFields: [{ key: 'b', operator: 'Exists' }] }]),
        terms([{ matchExpressions: [] }]),
        { overwrite: false },
      ),
    );
    expect(empty).toEqual({
      code: 'PATCH_ERROR',
      path: `${at}[0].matchExpressions`,
      message: `field ${at}[0].matchExpressions: no elements in any of the given lists`,
    });
  });

  it('a map live replaced by a value, and $retainKeys, which are not compared', () => {
    const sc = (v: JsonValue) => pod({ securityContext: v });
    expect(conflictAt(sc({ runAsUser: 1 }), sc('root'), sc({ runAsUser: 2 }))).toBe('spec.securityContext');
    const strategy = (s: JsonObject): JsonObject => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: { strategy: s },
    });
    // The patch keeps only `type` ($retainKeys), live holds rollingUpdate too: not a conflict.
    const last = strategy({ type: 'RollingUpdate' });
    const live = strategy({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%' } });
    expect(createThreeWayMergePatch(last, last, live, { overwrite: false })).toEqual({
      spec: { strategy: { $retainKeys: ['type'] } },
    });
  });
});

describe('schemas without kubectl: replace maps and associative lists', () => {
  const schema = patchSchemaFromData({
    definitions: {},
    kinds: {
      'example.com/v1/Widget': {
        properties: {
          spec: {
            properties: {
              config: { patchStrategy: 'replace', additionalProperties: {} },
            },
          },
        },
      },
    },
  });
  const widget = (spec: JsonObject): JsonObject => ({
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w' },
    spec,
  });

  it('a map with the replace strategy is sent whole, even unchanged, and never conflicts', () => {
    const original = widget({ config: { a: 1, b: 2 } });
    expect(createTwoWayMergePatch(original, widget({ config: { a: 1 } }), { schema })).toEqual({
      spec: { config: { a: 1 } },
    });
    expect(createTwoWayMergePatch(original, original, { schema })).toEqual({
      spec: { config: { a: 1, b: 2 } },
    });
    const patch = createThreeWayMergePatch(
      original,
      widget({ config: { a: 3 } }),
      widget({ config: { a: 2 } }),
      {
        schema,
        overwrite: false,
      },
    );
    expect(patch).toEqual({ spec: { config: { a: 3 } } });
  });

  it('associative mode merges lists of objects by an inferred key, and compares them by it', () => {
    const items = (...list: JsonObject[]) => widget({ items: list });
    const options = { untyped: 'associative' as const };
    const original = items({ name: 'a', v: 1 }, { name: 'b', v: 1 });
    const modified = items({ name: 'a', v: 2 }, { name: 'b', v: 1 });
    const patch = createTwoWayMergePatch(original, modified, options);
    expect(patch).toEqual({
      spec: { items: [{ name: 'a', v: 2 }], '$setElementOrder/items': [{ name: 'a' }, { name: 'b' }] },
    });
    expect(applyStrategicMergePatch(original, patch, options)).toEqual(modified);
    // Live added a field to b, desired changes a: different items, no conflict.
    const live = items({ name: 'a', v: 1 }, { name: 'b', v: 1, extra: true });
    expect(() =>
      createThreeWayMergePatch(original, modified, live, { ...options, overwrite: false }),
    ).not.toThrow();
  });
});
