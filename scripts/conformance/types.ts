/** The outcome of running one conformance corpus. */
export interface CorpusResult {
  /** Cases that passed. */
  passed: number;
  /** Cases counted (skipped cases are not counted). */
  total: number;
  /** Ids of the cases that failed, with a short reason each. */
  failures: { id: string; reason: string }[];
  /** Cases left out of the count, and why. */
  skipped?: { count: number; reason: string };
}

/** A corpus adapter: runs the cases under `dir` (the corpus folder) with the package that owns them. */
export type CorpusRunner = (dir: string) => Promise<CorpusResult>;
