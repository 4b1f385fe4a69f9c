/**
 * Shrinks a mismatching case to a small reproduction: greedily deletes patch keys and items, then
 * fields and items of the object (never its apiVersion, kind or name), coarse before fine, keeping
 * each deletion for which the two sides still disagree in the same way (both re-run every step).
 */

import { greedyShrink } from '../../../scripts/fuzz/greedy-shrink.js';
import type { FuzzCase } from './generator.js';
import type { Json } from './objects.js';

type Step = ['patch' | 'original', ...(string | number)[]];

const isObj = (v: unknown): v is { [k: string]: Json } =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const KEEP = new Set(['original.apiVersion', 'original.kind', 'original.metadata', 'original.metadata.name']);

/** Every deletable place of the case, shallow before deep, the patch before the object. */
function steps(c: FuzzCase): Step[] {
  const out: Step[] = [];
  const walk = (v: Json, at: Step): void => {
    if (Array.isArray(v))
      v.forEach((x, i) => {
        out.push([...at, i] as Step);
        walk(x, [...at, i] as Step);
      });
    else if (isObj(v))
      for (const [k, x] of Object.entries(v)) {
        const step = [...at, k] as Step;
        if (!KEEP.has(step.join('.'))) out.push(step);
        walk(x, step);
      }
  };
  walk(c.patch, ['patch']);
  walk(c.original, ['original']);
  const rank = (s: Step) => s.length + (s[0] === 'original' ? 100 : 0);
  return out.sort((a, b) => rank(a) - rank(b));
}

/** The case without the place `step` names, or undefined when it no longer exists. */
function without(c: FuzzCase, step: Step): FuzzCase | undefined {
  const copy = structuredClone(c) as FuzzCase;
  let parent: Json = copy[step[0]];
  for (let i = 1; i < step.length - 1; i++) {
    const key = step[i] as string | number;
    const next: Json | undefined = Array.isArray(parent)
      ? parent[key as number]
      : isObj(parent)
        ? parent[key as string]
        : undefined;
    if (next === undefined) return undefined;
    parent = next;
  }
  const last = step[step.length - 1] as string | number;
  if (Array.isArray(parent) && typeof last === 'number' && last < parent.length) parent.splice(last, 1);
  else if (isObj(parent) && typeof last === 'string' && last in parent) delete parent[last];
  else return undefined;
  return copy;
}

/**
 * Shrinks `c` while `stillFails`, within `budget` checks, trying `parallel` candidates at once
 * (each call gets its own slot number, for its own directory).
 */
export async function shrink(
  c: FuzzCase,
  stillFails: (c: FuzzCase, slot: number) => Promise<boolean>,
  budget = 600,
  parallel = 2,
): Promise<{ case: FuzzCase; checks: number }> {
  const { result, checks } = await greedyShrink(c, { steps, without, stillFails, budget, parallel });
  return { case: result, checks };
}
