import { ValidationError } from '@gitops-kit/core';
import type { ParamSet } from './template.js';

/**
 * Two parameter sets as one (Argo CD's `CombineStringMaps`, what its matrix generator does in the
 * default template mode). A name in both with different values is an error: give one git
 * generator a `pathParamPrefix`.
 */
export function combineParamSets(a: ParamSet, b: ParamSet, path: string): ParamSet {
  const out: Record<string, string> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (Object.hasOwn(out, k) && out[k] !== v) {
      throw new ValidationError(
        `found duplicate key ${k} with different value, a: ${out[k]}, b: ${v} (give one git generator a pathParamPrefix)`,
        { path },
      );
    }
    out[k] = v;
  }
  return out;
}

function mergeKeyOf(set: ParamSet, keys: readonly string[]): string {
  return JSON.stringify(keys.map((k) => (Object.hasOwn(set, k) ? set[k] : null)));
}

function byMergeKey(sets: readonly ParamSet[], keys: readonly string[], path: string): Map<string, ParamSet> {
  const out = new Map<string, ParamSet>();
  for (const set of sets) {
    const key = mergeKeyOf(set, keys);
    if (out.has(key)) {
      throw new ValidationError(
        `the parameter sets of a generator are not unique by the merge keys ${JSON.stringify(keys)}: ${key} appears twice`,
        { path },
      );
    }
    out.set(key, set);
  }
  return out;
}

/**
 * The merge generator's combination (Argo CD's): the first generator's sets, each overridden by the
 * set of every later generator with the same values for `mergeKeys` (later generators win); sets of
 * later generators that match no base set are dropped. Sets must be unique by the merge keys within
 * each generator. In the base generator's order.
 */
export function mergeParamSets(
  generated: readonly (readonly ParamSet[])[],
  mergeKeys: readonly string[],
  path: string,
): ParamSet[] {
  const keys = [...new Set(mergeKeys)];
  const [base = [], ...overrides] = generated;
  byMergeKey(base, keys, `${path}.generators[0]`);
  const indexed = overrides.map((sets, i) => byMergeKey(sets, keys, `${path}.generators[${i + 1}]`));
  return base.map((set) => {
    const key = mergeKeyOf(set, keys);
    let merged: Record<string, string> = { ...set };
    for (const index of indexed) {
      const override = index.get(key);
      if (override !== undefined) merged = { ...merged, ...override };
    }
    return merged;
  });
}
