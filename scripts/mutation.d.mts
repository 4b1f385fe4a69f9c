// Types of what tests import from mutation.mjs.

/** One mutant of a Stryker report (mutation-testing-report-schema), the fields merging reads. */
export interface ReportMutant {
  id: string;
  status: string;
  coveredBy?: string[];
  killedBy?: string[];
  [field: string]: unknown;
}

/** A Stryker report (mutation-testing-report-schema), the fields merging reads. */
export interface MutationReport {
  files: Record<string, { mutants: ReportMutant[]; [field: string]: unknown }>;
  testFiles?: Record<string, { tests: { id: string; name: string }[]; [field: string]: unknown }>;
  [field: string]: unknown;
}

/** The listed modules per package. */
export const MODULES: Record<string, { dir: string; modules: Record<string, string[]> }>;

/** The package's report with `file`'s results from a fresh run (see mutation.mjs). */
export function mergeReports(
  old: MutationReport | undefined,
  fresh: MutationReport,
  file: string,
): MutationReport;
