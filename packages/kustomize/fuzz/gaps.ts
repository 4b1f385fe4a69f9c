/**
 * Known gaps: kustomize behaviours the fuzzer generates but the renderer does not match yet, each
 * documented in the package README ("What is supported (from the fuzzer's view)"). A run with
 * `--skip-known-gaps` (CI's) leaves them out of the trees, so it must see no mismatch at all; a
 * run without covers everything and measures them.
 */
export const KNOWN_GAPS = {} as const;

/** One known gap. */
export type KnownGap = keyof typeof KNOWN_GAPS;

let skipped = false;

/** Leaves the known gaps out of generated trees (or puts them back). */
export function skipKnownGaps(skip: boolean): void {
  skipped = skip;
}

/** True when the generator may produce `gap`. */
export function allows(gap: KnownGap): boolean {
  return !skipped || !(gap in KNOWN_GAPS);
}
