/**
 * Writes a shrunk mismatch as a golden fixture: one JSON file with the case, kubectl's output
 * (`expected`) or refusal (`error`), and the seed and index that found it.
 * test/fuzz-goldens.test.ts replays every fixture of test/fixtures/fuzz/ without kubectl.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonValue } from '@gitops-kit/core';
import type { FuzzCase } from './generator.js';
import type { Verdict } from './oracle.js';

/** One fixture file. */
export interface FuzzFixture extends FuzzCase {
  /** The run's seed and the case's index in it: `pnpm fuzz:patch --seed S --only I` replays it (index -1: a case reduced by hand from another finding). */
  seed: number;
  index: number;
  /** The mismatch as first seen (before any fix). */
  mismatch: string;
  detail: string;
  /** kubectl's patched object, or its refusal. */
  expected?: JsonValue;
  error?: string;
}

/** Writes the fixture under `outDir` and returns its file. */
export function writeFixture(
  outDir: string,
  c: FuzzCase,
  verdict: Verdict,
  info: { seed: number; index: number; mismatch: string; detail: string },
): string {
  mkdirSync(outDir, { recursive: true });
  const base = `${info.mismatch}-${c.type}-${String(c.original.kind).toLowerCase()}-${info.seed.toString(16)}-${info.index}`;
  let name = base;
  while (existsSync(join(outDir, `${name}.json`))) name += 'x';
  const file = join(outDir, `${name}.json`);
  const fixture: FuzzFixture = {
    ...info,
    ...c,
    ...(verdict.kubectl.ok ? { expected: verdict.kubectl.object } : { error: verdict.kubectl.error }),
  };
  writeFileSync(file, `${JSON.stringify(fixture, null, 1)}\n`);
  return file;
}
