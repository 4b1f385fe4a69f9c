import { isGitOpsError, type JsonObject, type JsonValue } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  createMergePatch,
  createThreeWayJsonMergePatch,
  createThreeWayMergePatch,
  createTwoWayMergePatch,
  type JsonPatchOperation,
} from '../src/index.js';
import { mulberry32 } from './random.js';

// Seeded random documents, patches and directives thrown at every entry point: whatever happens,
// only typed GitOps errors may escape — never a TypeError or a RangeError.

const KEYS = [
  'metadata',
  'spec',
  'template',
  'containers',
  'name',
  'image',
  'env',
  'ports',
  'containerPort',
  'finalizers',
  'labels',
  'volumes',
  'strategy',
  'value',
  '$patch',
  '$retainKeys',
  '$setElementOrder/containers',
  '$deleteFromPrimitiveList/finalizers',
  '$setElementOrder/finalizers',
  'x',
];
const SCALARS: JsonValue[] = [null, 0, 1, 80, 'a', 'name', 'delete', 'replace', 'merge', true, false, ''];

function randomValue(r: () => number, depth: number): JsonValue {
  const roll = r();
  if (depth > 4 || roll < 0.35) return SCALARS[Math.floor(r() * SCALARS.length)] as JsonValue;
  if (roll < 0.65) {
    const n = Math.floor(r() * 4);
    return Array.from({ length: n }, () => randomValue(r, depth + 1));
  }
  const o: JsonObject = {};
  const n = Math.floor(r() * 4);
  for (let i = 0; i < n; i++) o[KEYS[Math.floor(r() * KEYS.length)] as string] = randomValue(r, depth + 1);
  return o;
}

function randomObject(r: () => number): JsonObject {
  const v = randomValue(r, 0);
  const o: JsonObject = v !== null && typeof v === 'object' && !Array.isArray(v) ? v : { x: v };
  if (r() < 0.7) {
    o.apiVersion = r() < 0.5 ? 'apps/v1' : 'v1';
    o.kind = r() < 0.5 ? 'Deployment' : 'Pod';
  }
  return o;
}

const outcomes = { applied: 0, refused: 0 };

function onlyTypedErrors(fn: () => unknown): string | undefined {
  try {
    fn();
    outcomes.applied++;
    return undefined;
  } catch (err) {
    outcomes.refused++;
    return isGitOpsError(err) ? undefined : `${(err as Error).name}: ${(err as Error).message}`;
  }
}

describe('fuzz: only typed errors escape', () => {
  it('strategic merge patch apply and create', () => {
    const r = mulberry32(42);
    const escaped: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const a = randomObject(r);
      const b = randomObject(r);
      const c = randomObject(r);
      for (const fn of [
        () => applyStrategicMergePatch(a, b),
        () => applyStrategicMergePatch(a, b, { untyped: 'associative' }),
        () => createTwoWayMergePatch(a, b),
        () => createThreeWayMergePatch(a, b, c, { overwrite: r() < 0.5 }),
        () => createThreeWayJsonMergePatch(a, b, c),
        () => applyMergePatch(a, createMergePatch(a, b)),
      ]) {
        const e = onlyTypedErrors(fn);
        if (e !== undefined) escaped.push(`#${i}: ${e} on ${JSON.stringify([a, b, c])}`);
      }
    }
    expect(escaped.slice(0, 5)).toEqual([]);
    // The inputs exercise both paths, so the check above is not vacuous.
    expect(outcomes.applied).toBeGreaterThan(1000);
    expect(outcomes.refused).toBeGreaterThan(1000);
  });

  it('JSON patch', () => {
    const r = mulberry32(7);
    const ops = ['add', 'remove', 'replace', 'move', 'copy', 'test', 'nope'];
    const paths = ['', '/', '/a', '/a/0', '/a/-', '/a/b/c', '/x~1y', '/a/01', '/~2', 'a'];
    const escaped: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const doc = randomValue(r, 0);
      const patch = Array.from({ length: 1 + Math.floor(r() * 3) }, () => {
        const op: Record<string, JsonValue> = { op: ops[Math.floor(r() * ops.length)] as string };
        if (r() < 0.95) op.path = paths[Math.floor(r() * paths.length)] as string;
        if (r() < 0.7) op.value = randomValue(r, 2);
        if (r() < 0.5) op.from = paths[Math.floor(r() * paths.length)] as string;
        return op as unknown as JsonPatchOperation;
      });
      const e = onlyTypedErrors(() => applyJsonPatch(doc, patch));
      if (e !== undefined) escaped.push(`#${i}: ${e} on ${JSON.stringify([doc, patch])}`);
    }
    expect(escaped.slice(0, 5)).toEqual([]);
  });
});
