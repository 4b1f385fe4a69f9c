import { ValidationError } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { splitFieldPath, visitFieldPath } from '../src/field-spec.js';

// The refusals of a field spec walk (kubectl kustomize refuses the same paths: the goldens
// field-spec-path-through-scalar, -empty-segment, -selector-segment and -bracket-segment): a typed
// error that names the path and says what is wrong with it, in kustomize's words where it has them.

function refusal(obj: object, path: string): ValidationError {
  try {
    visitFieldPath(
      obj as never,
      splitFieldPath(path),
      () => {},
      () => ({}),
    );
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error(`${path} was not refused`);
}

describe('field spec paths kustomize refuses', () => {
  it.each([
    [
      { spec: { template: 'text' } },
      'spec/template/labels',
      'expected a map or a list on the way, found a scalar',
    ],
    [
      { spec: { items: ['text'] } },
      'spec/items/labels',
      'expected a map or a list on the way, found a scalar',
    ],
    [{ spec: {} }, 'spec//labels', 'cannot set or create an empty field name'],
    [{ spec: {} }, 'spec/labels/', 'cannot set or create an empty field name'],
    [{ spec: { list: [{ name: 'a' }] } }, 'spec/list/[name=a]/x', '[name=a] selects list items, not a field'],
    [{ spec: {} }, 'spec/[labels]', '[labels] selects list items, not a field'],
  ])('%j at %s: %s', (obj, path, why) => {
    const err = refusal(obj, path);
    expect(err.reason).toBe(why);
    expect(err.path).toBe(path);
    expect(err.message).toContain(path);
  });

  it('walks keys holding =, a backslash, or a bracket not at both ends', () => {
    const obj = { a: { 'x=y': 1, 'b\\c': 2, '[d': 3, 'e]': 4 } };
    const seen: unknown[] = [];
    for (const path of ['a/x=y', 'a/b\\c', 'a/[d', 'a/e]']) {
      visitFieldPath(obj, splitFieldPath(path), (c, k, at) => seen.push([k, c[k], at]));
    }
    expect(seen).toEqual([
      ['x=y', 1, ['a', 'x=y']],
      ['b\\c', 2, ['a', 'b\\c']],
      ['[d', 3, ['a', '[d']],
      ['e]', 4, ['a', 'e]']],
    ]);
  });
});
