import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '@gitops-kit/core';
import { parseYaml as parse } from '@gitops-kit/core';
import { type DiffOptions, type DiffResult, diff } from '../src/index.js';

/** The folder of the strategy cases: one sub-folder each, with its `case.yaml`. */
export const STRATEGY_CASES_DIR = fileURLToPath(new URL('./fixtures/strategies', import.meta.url));

interface StrategyCase {
  options?: DiffOptions;
  desired: KubeObject | null;
  live: KubeObject | null;
  dryRun?: KubeObject;
}

/** The names of the strategy cases. */
export function strategyCaseNames(): string[] {
  return readdirSync(STRATEGY_CASES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/** Runs one strategy case and returns its result. */
export function runStrategyCase(name: string): DiffResult {
  const c = parse(
    readFileSync(join(STRATEGY_CASES_DIR, name, 'case.yaml'), 'utf8'),
  ) as unknown as StrategyCase;
  const options: DiffOptions = { ...c.options };
  if (c.dryRun) options.serverSideDryRun = c.dryRun;
  return diff(c.desired, c.live, options);
}
