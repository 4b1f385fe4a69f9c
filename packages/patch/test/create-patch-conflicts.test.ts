import type { JsonObject, JsonValue } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { createThreeWayMergePatch, patchSchemaFromData } from '../src/index.js';

// More of MergingMapsHaveConflicts (Kubernetes' strategicpatch), which kubectl apply cannot show
// (its --overwrite=false conflicts on the last-applied annotation whenever desired changed): every
// item and every field is looked at, not only the first one in common, and lists of scalars merged
// by key never conflict.

const containers = (...items: JsonObject[]): JsonObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p' },
  spec: { containers: items },
});
const c = (name: string, image: string, extra: JsonObject = {}): JsonObject => ({ name, image, ...extra });
const args = (list: JsonValue[]): JsonObject => containers(c('app', 'app:1', { args: list }));

function conflictAt(
  lastApplied: JsonObject,
  live: JsonObject,
  desired: JsonObject,
  options: { schema?: ReturnType<typeof patchSchemaFromData> } = {},
): string | undefined {
  try {
    createThreeWayMergePatch(lastApplied, desired, live, { ...options, overwrite: false });
    return undefined;
  } catch (err) {
    expect((err as { code?: string }).code).toBe('PATCH_CONFLICT');
    return (err as { path?: string }).path ?? '';
  }
}

describe('conflicts without overwrite, past the first item', () => {
  it('looks at every item both sides change, not only the first', () => {
    const last = containers(c('a', 'a:1'), c('b', 'b:1'));
    // a: desired changes the image, live sets another field (no conflict); b: both change the image.
    const live = containers(c('a', 'a:1', { workingDir: '/w' }), c('b', 'b:3'));
    const desired = containers(c('a', 'a:2'), c('b', 'b:2'));
    expect(conflictAt(last, live, desired)).toBe('spec.containers[name=b].image');
  });

  it('looks at every value of an atomic list, sorted, not only the first', () => {
    expect(conflictAt(args(['a', 'x']), args(['a', 'z']), args(['a', 'w']))).toBe(
      'spec.containers[name=app].args[1]',
    );
    // Live holds the values out of order: sorted, they are desired's.
    expect(conflictAt(args(['c']), args(['b', 'a']), args(['a', 'b']))).toBeUndefined();
  });

  it('never finds a conflict in a list of scalars merged by key', () => {
    const schema = patchSchemaFromData({
      definitions: {},
      kinds: {
        'example.com/v1/Widget': {
          properties: {
            spec: { properties: { tags: { patchStrategy: 'merge', patchMergeKey: 'name', items: {} } } },
          },
        },
      },
    });
    const widget = (tags: string[]): JsonObject => ({
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w' },
      spec: { tags },
    });
    expect(
      createThreeWayMergePatch(widget(['a']), widget(['a', 'c']), widget(['a', 'b']), { schema }),
    ).toEqual({
      spec: { tags: ['c'], '$setElementOrder/tags': ['a', 'c'] },
    });
    expect(conflictAt(widget(['a']), widget(['a', 'b']), widget(['a', 'c']), { schema })).toBeUndefined();
  });
});
