/** How {@link greedyShrink} reduces one failing input. */
export interface GreedyShrinkOptions<T, S> {
  /** The steps that may make `current` smaller, in the order to try them. */
  steps(current: T): readonly S[];
  /** `current` without one step's part, or undefined when that step does not apply. */
  without(current: T, step: S): T | undefined;
  /** Whether a candidate still fails the same way; `slot` tells parallel checks apart (their directories). */
  stillFails(candidate: T, slot: number): Promise<boolean>;
  /** At most this many checks. */
  budget: number;
  /** Candidates checked at once (1: one after the other). */
  parallel?: number;
  /** No check starts after this time (ms since the epoch). */
  deadline?: number;
}

/**
 * The differential fuzzers' shrinker (kustomize, patch, git): removes one part at a time while the
 * input still fails, keeping the first smaller candidate that does. After a removal it carries on
 * from the same place (the places before it were tried already), and a pass that reached the end
 * after a removal is followed by one more full pass, so the result is minimal against each step.
 */
export async function greedyShrink<T, S>(
  initial: T,
  options: GreedyShrinkOptions<T, S>,
): Promise<{ result: T; checks: number }> {
  const parallel = Math.max(1, options.parallel ?? 1);
  const deadline = options.deadline ?? Number.POSITIVE_INFINITY;
  const open = (checks: number) => checks < options.budget && Date.now() < deadline;
  let current = initial;
  let checks = 0;
  let start = 0;
  while (open(checks)) {
    const list = options.steps(current);
    let accepted = false;
    let i = start;
    while (i < list.length && open(checks) && !accepted) {
      const batch: { at: number; candidate: T }[] = [];
      for (; i < list.length && batch.length < parallel; i++) {
        const candidate = options.without(current, list[i] as S);
        if (candidate !== undefined) batch.push({ at: i, candidate });
      }
      checks += batch.length;
      const results = await Promise.all(batch.map((b, slot) => options.stillFails(b.candidate, slot)));
      const first = results.indexOf(true);
      if (first >= 0) {
        const chosen = batch[first] as { at: number; candidate: T };
        current = chosen.candidate;
        start = chosen.at;
        accepted = true;
      }
    }
    if (!accepted) {
      if (start === 0) break;
      start = 0;
    }
  }
  return { result: current, checks };
}
