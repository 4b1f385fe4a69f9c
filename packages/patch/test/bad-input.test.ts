import { isGitOpsError, type JsonObject, type JsonValue } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import {
  applyJsonPatch,
  applyStrategicMergePatch,
  createThreeWayMergePatch,
  createTwoWayMergePatch,
  type JsonPatchOperation,
  PatchError,
} from '../src/index.js';

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd' },
  spec: {
    template: { spec: { containers: [{ name: 'app', image: 'a', env: [{ name: 'A', value: '1' }] }] } },
  },
};

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

describe('bad input is a typed PatchError with the path, never a TypeError', () => {
  it('a patch that is not an object', () => {
    for (const patch of [null, 'x', 3, ['a'], true] as unknown[]) {
      const err = caught(() => applyStrategicMergePatch(deployment, patch as JsonObject));
      expect(err).toBeInstanceOf(PatchError);
      expect(isGitOpsError(err, 'PATCH_ERROR')).toBe(true);
    }
  });

  it('a list item without its merge key is named by its fields, never its values (secrets, big integers)', () => {
    const patch = {
      spec: {
        template: {
          spec: {
            containers: [{ image: 'b', env: [{ name: 'TOKEN', value: 'hunter2' }], big: 2n ** 63n - 1n }],
          },
        },
      },
    } as unknown as JsonObject;
    const err = caught(() => applyStrategicMergePatch(deployment, patch));
    expect(err).toBeInstanceOf(PatchError);
    expect((err as PatchError).message).toContain(
      'list item {image, env, big} does not contain the merge key "name"',
    );
    expect((err as PatchError).message).not.toContain('hunter2');
    const twoWay = caught(() => createTwoWayMergePatch(deployment, patch as unknown as typeof deployment));
    expect(twoWay).toBeInstanceOf(PatchError);
    expect((twoWay as PatchError).message).not.toContain('hunter2');
  });

  it('an unknown $patch directive, on a map and on a list item', () => {
    const onMap = caught(() =>
      applyStrategicMergePatch(deployment, { spec: { template: { $patch: 'bogus' } } }),
    );
    expect(onMap).toMatchObject({ code: 'PATCH_ERROR', path: 'spec.template.$patch' });
    const onItem = caught(() =>
      applyStrategicMergePatch(deployment, {
        spec: { template: { spec: { containers: [{ name: 'app', $patch: 'nope' }] } } },
      }),
    );
    expect(onItem).toMatchObject({ code: 'PATCH_ERROR', path: 'spec.template.spec.containers[0]' });
  });

  it('an unknown $-directive key', () => {
    const err = caught(() => applyStrategicMergePatch(deployment, { spec: { $retainKey: ['x'] } }));
    expect(err).toMatchObject({ code: 'PATCH_ERROR', path: 'spec.$retainKey' });
    expect(String((err as Error).message)).toContain('unknown strategic merge patch directive');
  });

  it('a merge-key item missing its key', () => {
    const err = caught(() =>
      applyStrategicMergePatch(deployment, {
        spec: { template: { spec: { containers: [{ image: 'x' }] } } },
      }),
    );
    expect(err).toMatchObject({ code: 'PATCH_ERROR', path: 'spec.template.spec.containers[0]' });
    expect((err as Error).message).toContain('merge key "name"');
    const nested = caught(() =>
      applyStrategicMergePatch(deployment, {
        spec: { template: { spec: { containers: [{ name: 'app', env: [{ value: '2' }] }] } } },
      }),
    );
    expect(nested).toMatchObject({ path: 'spec.template.spec.containers[0].env[0]' });
  });

  it('malformed parallel lists and $retainKeys', () => {
    expect(caught(() => applyStrategicMergePatch(deployment, { spec: { $retainKeys: 'x' } }))).toMatchObject({
      path: 'spec.$retainKeys',
    });
    expect(
      caught(() =>
        applyStrategicMergePatch(deployment, { metadata: { '$setElementOrder/finalizers': 'x' } }),
      ),
    ).toMatchObject({ path: 'metadata.$setElementOrder/finalizers' });
    const withFinalizers = { ...deployment, metadata: { name: 'd', finalizers: ['a'] } };
    expect(
      caught(() => applyStrategicMergePatch(withFinalizers, { metadata: { finalizers: [['a']] } })),
    ).toBeInstanceOf(PatchError);
    expect(
      caught(() => applyStrategicMergePatch(withFinalizers, { metadata: { finalizers: ['b', 1] } })),
    ).toBeInstanceOf(PatchError);
  });

  it('kinds with no schema are refused in error mode, merged as kustomize does otherwise', () => {
    const cr = {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w' },
      spec: { items: [{ name: 'a' }] },
    };
    expect(
      caught(() => applyStrategicMergePatch(cr, { spec: { x: 1 } }, { untyped: 'error' })),
    ).toMatchObject({
      code: 'PATCH_ERROR',
    });
    expect(applyStrategicMergePatch(cr, { spec: { items: [{ name: 'b' }] } }).spec).toEqual({
      items: [{ name: 'b' }],
    });
    // Patch items not in the original come first, as strategic merge patch orders them.
    expect(
      applyStrategicMergePatch(cr, { spec: { items: [{ name: 'b' }] } }, { untyped: 'associative' }).spec,
    ).toEqual({
      items: [{ name: 'b' }, { name: 'a' }],
    });
  });

  it('create patches refuse non-objects and merge lists without keys', () => {
    expect(caught(() => createTwoWayMergePatch(null as unknown as JsonObject, {}))).toBeInstanceOf(
      PatchError,
    );
    expect(caught(() => createThreeWayMergePatch(undefined, [] as unknown as JsonObject, {}))).toBeInstanceOf(
      PatchError,
    );
    const noKey = { ...deployment, spec: { template: { spec: { containers: [{ image: 'x' }] } } } };
    expect(caught(() => createTwoWayMergePatch(deployment, noKey))).toMatchObject({
      path: 'spec.template.spec.containers',
    });
  });

  it('a JSON patch to a missing path names the op and the path', () => {
    const doc: JsonValue = { a: { b: [1, 2] } };
    const cases: Array<[JsonPatchOperation, string]> = [
      [{ op: 'replace', path: '/a/c', value: 1 }, '/a/c'],
      [{ op: 'remove', path: '/a/b/5' }, '/a/b/5'],
      [{ op: 'test', path: '/x', value: 1 }, '/x'],
      [{ op: 'add', path: '/x/y', value: 1 }, '/x/y'],
      [{ op: 'move', from: '/nope', path: '/a/z' }, '/a/z'],
      [{ op: 'copy', from: '/nope', path: '/a/z' }, '/a/z'],
    ];
    for (const [op, path] of cases) {
      const err = caught(() => applyJsonPatch(doc, [op]));
      expect(err).toBeInstanceOf(PatchError);
      expect(err).toMatchObject({ path });
      expect((err as Error).message).toContain(`${op.op} ${path}`);
    }
  });

  it('malformed JSON patch operations', () => {
    for (const op of [
      { op: 'frobnicate', path: '/a' },
      { op: 'add', path: '/a' },
      { op: 'move', path: '/a' },
      { op: 'add', path: 'a', value: 1 },
      { op: 'add', path: '/a~2', value: 1 },
      null,
    ]) {
      const err = caught(() => applyJsonPatch({}, [op as JsonPatchOperation]));
      expect(err).toBeInstanceOf(PatchError);
    }
    expect(caught(() => applyJsonPatch({}, {} as unknown as JsonPatchOperation[]))).toBeInstanceOf(
      PatchError,
    );
  });
});

describe('a refused directive says what is wrong and where', () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', finalizers: ['a'] },
    spec: {
      containers: [{ name: 'app', image: 'a', env: [{ name: 'X', value: '1' }] }],
      securityContext: { runAsUser: 1 },
      volumes: [{ name: 'cfg', configMap: { name: 'c' } }],
    },
  };
  const refusal = (patch: JsonObject) => caught(() => applyStrategicMergePatch(pod, patch));

  it('an unknown $patch on a map names the value and the choices', () => {
    expect(refusal({ spec: { securityContext: { $patch: 'bogus' } } })).toMatchObject({
      path: 'spec.securityContext.$patch',
      message: expect.stringContaining('unknown patch type "bogus" in $patch: expected replace or delete'),
    });
  });

  it('a parallel-list key with a longer prefix names the form it must have', () => {
    expect(refusal({ metadata: { '$setElementOrderX/finalizers': ['a'] } })).toMatchObject({
      path: 'metadata.$setElementOrderX/finalizers',
      message: expect.stringContaining(
        '$setElementOrderX/finalizers must be $setElementOrder/<field> holding a list',
      ),
    });
    expect(refusal({ metadata: { '$deleteFromPrimitiveListX/finalizers': ['a'] } })).toMatchObject({
      path: 'metadata.$deleteFromPrimitiveListX/finalizers',
      message: expect.stringContaining(
        '$deleteFromPrimitiveListX/finalizers must be $deleteFromPrimitiveList/<field> holding a list of primitives',
      ),
    });
  });

  it('$retainKeys that is not a list, or misses a field the patch sets', () => {
    expect(refusal({ spec: { volumes: [{ name: 'cfg', $retainKeys: 'name' }] } })).toMatchObject({
      message: expect.stringContaining('$retainKeys must be a list of field names'),
    });
    expect(
      refusal({ spec: { volumes: [{ name: 'cfg', $retainKeys: ['name'], secret: { secretName: 's' } }] } }),
    ).toMatchObject({
      message: expect.stringContaining('field "secret" is set but not listed in $retainKeys'),
    });
  });

  it('$patch on a list item: merge is not supported, an unknown value names the choices', () => {
    const env = (item: JsonObject) => ({ spec: { containers: [{ name: 'app', env: [item] }] } });
    expect(refusal(env({ name: 'X', $patch: 'merge' }))).toMatchObject({
      path: 'spec.containers[0].env[0]',
      message: expect.stringContaining('$patch: merge on a list item is not supported'),
    });
    expect(refusal(env({ name: 'X', $patch: 'bogus' }))).toMatchObject({
      path: 'spec.containers[0].env[0]',
      message: expect.stringContaining('unknown patch type "bogus" in $patch: expected replace or delete'),
    });
  });

  it('maps in a merged list that has no merge key (finalizers)', () => {
    const withMaps = { ...pod, metadata: { name: 'p', finalizers: [{ a: 1 }] } };
    expect(
      caught(() => applyStrategicMergePatch(withMaps, { metadata: { finalizers: [{ b: 1 }] } })),
    ).toMatchObject({
      path: 'metadata.finalizers',
      message: expect.stringContaining('cannot merge lists of objects without a merge key'),
    });
  });

  it('a $setElementOrder list of maps whose patch list holds a scalar', () => {
    expect(
      refusal({ spec: { '$setElementOrder/containers': [{ name: 'app' }], containers: ['x'] } }),
    ).toMatchObject({
      path: 'spec.$setElementOrder/containers',
      message: expect.stringContaining('invalid patch: expected a list of objects'),
    });
  });
});

describe('a refused list says what is wrong and where', () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', finalizers: ['a'], labels: { a: 'b' } },
    spec: { containers: [{ name: 'app', image: 'a' }] },
  };
  const refusal = (patch: JsonObject, original: JsonObject = pod) =>
    caught(() => applyStrategicMergePatch(original, patch));
  const says = (path: string, message: string) => ({ path, message: expect.stringContaining(message) });

  it('$setElementOrder that is not a list, or orders what is not a list', () => {
    expect(refusal({ metadata: { '$setElementOrder/finalizers': 'a' } })).toMatchObject(
      says(
        'metadata.$setElementOrder/finalizers',
        'invalid patch: $setElementOrder/finalizers must be a list',
      ),
    );
    expect(refusal({ metadata: { '$setElementOrder/labels': ['a'] } })).toMatchObject(
      says('metadata.labels', '$setElementOrder/labels applies to labels, which is not a list'),
    );
    expect(refusal({ metadata: { '$setElementOrder/finalizers': ['a'], finalizers: 'a' } })).toMatchObject(
      says('metadata.finalizers', 'applies to finalizers, which is not a list in the patch'),
    );
  });

  it('$setElementOrder against the order of the patch list', () => {
    expect(
      refusal({ metadata: { '$setElementOrder/finalizers': ['b', 'a'], finalizers: ['a', 'b'] } }),
    ).toMatchObject(
      says(
        'metadata.$setElementOrder/finalizers',
        'the order of the patch list does not match its $setElementOrder list',
      ),
    );
  });

  it('$setElementOrder of a list of maps against the order of the patch list', () => {
    const twoContainers = { ...pod, spec: { containers: [{ name: 'a' }, { name: 'b' }] } };
    expect(
      refusal(
        {
          spec: {
            '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }],
            containers: [
              { name: 'b', image: 'b' },
              { name: 'a', image: 'a' },
            ],
          },
        },
        twoContainers,
      ),
    ).toMatchObject(
      says(
        'spec.$setElementOrder/containers',
        'the order of the patch list does not match its $setElementOrder list',
      ),
    );
  });

  it('items of the wrong kind', () => {
    const empty = { ...pod, metadata: { name: 'p', finalizers: [] } };
    expect(refusal({ metadata: { finalizers: [null] } }, empty)).toMatchObject(
      says('metadata.finalizers', 'invalid patch: a list item is null'),
    );
    expect(refusal({ metadata: { finalizers: [['a']] } }, empty)).toMatchObject(
      says('metadata.finalizers', 'lists of lists are not supported'),
    );
    expect(refusal({ metadata: { finalizers: [1] } })).toMatchObject(
      says('metadata.finalizers', 'invalid patch: list items are not all of the same type'),
    );
    expect(refusal({ metadata: { '$setElementOrder/finalizers': [], finalizers: [] } }, empty)).toMatchObject(
      says('metadata.finalizers', 'no elements in any of the given lists'),
    );
  });

  it('a $setElementOrder list of maps holding a scalar, or an item without the merge key', () => {
    expect(refusal({ spec: { '$setElementOrder/containers': ['app'] } })).toMatchObject(
      says('spec.containers', 'invalid patch: list item 0 is not an object'),
    );
    expect(
      refusal({
        spec: { '$setElementOrder/containers': ['app'], containers: [{ name: 'app', image: 'b' }] },
      }),
    ).toMatchObject(says('spec.$setElementOrder/containers', 'invalid patch: expected a list of objects'));
    expect(
      refusal({ spec: { '$setElementOrder/containers': [{ image: 'x' }], containers: [{ name: 'app' }] } }),
    ).toMatchObject(
      says('spec.$setElementOrder/containers', 'list item {image} does not contain the merge key "name"'),
    );
  });
});
