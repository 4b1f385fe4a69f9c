import type { JsonValue } from '@gitops-kit/core';
import type { DiffManyResult, DiffResult } from '@gitops-kit/diff';
import type { compareApplicationWithDiff } from '@gitops-kit/sync';

type CompareOutput = ReturnType<typeof compareApplicationWithDiff>;

/**
 * A comparison's diff as the operator keeps it between reconciles (for the web view's diffs): an
 * unchanged object's result without its normalised live and predicted objects, which are equal
 * and render as no diff (`renderDiff` answers '' with or without them); every other item as it is.
 * At fleet scale those two copies of every synced object were most of what an idle operator held.
 */
export function keptDiff(diff: DiffManyResult): DiffManyResult {
  return {
    items: diff.items.map((item) =>
      item.status === 'unchanged' && item.result ? { ...item, result: withoutObjects(item.result) } : item,
    ),
    modified: diff.modified,
  };
}

/** A comparison with its diff as {@link keptDiff} keeps it. */
export function withKeptDiff(output: CompareOutput): CompareOutput {
  return output.diff ? { comparison: output.comparison, diff: keptDiff(output.diff) } : output;
}

// The kept result of an unchanged object without warnings, one per strategy, shared (frozen).
const UNCHANGED = new Map<DiffResult['strategy'], DiffResult>();

function withoutObjects(result: DiffResult): DiffResult {
  if (result.warnings.length === 0 && result.changes.length === 0 && isEmptyPatch(result.patch)) {
    let shared = UNCHANGED.get(result.strategy);
    if (shared === undefined) {
      shared = Object.freeze({
        modified: false,
        strategy: result.strategy,
        predictedLive: null,
        normalizedLive: null,
        patch: Object.freeze({}),
        changes: Object.freeze([]) as unknown as DiffResult['changes'],
        warnings: Object.freeze([]) as unknown as string[],
      });
      UNCHANGED.set(result.strategy, shared);
    }
    return shared;
  }
  return {
    modified: result.modified,
    strategy: result.strategy,
    predictedLive: null,
    normalizedLive: null,
    patch: result.patch,
    changes: result.changes,
    warnings: result.warnings,
  };
}

function isEmptyPatch(patch: JsonValue | null): boolean {
  return (
    typeof patch === 'object' && patch !== null && !Array.isArray(patch) && Object.keys(patch).length === 0
  );
}
