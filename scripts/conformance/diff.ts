// Conformance adapter for the diff corpus (cases from gitops-engine's pkg/diff tests): runs each case
// with @gitops-kit/diff and checks the verdict, the differing fields and the assertions on outputs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isJsonObject, type JsonValue, jsonEqual, type KubeObject } from '@gitops-kit/core';
import {
  type DiffOptions,
  type DiffStrategy,
  diff,
  foldSecretStringData,
  getAtPointer,
  hideSecretData,
  type IgnoreDifferencesRule,
  LAST_APPLIED_ANNOTATION,
  normalizeObject,
  parseJsonPointer,
  stopJq,
} from '@gitops-kit/diff';
import type { CorpusResult } from './types.js';

interface Check {
  target: string;
  pointer: string;
  equals?: JsonValue;
  absent?: boolean;
  present?: boolean;
  nullOrAbsent?: boolean;
  length?: number;
  contains?: Record<string, JsonValue>;
}

interface Case {
  id: string;
  op: 'diff' | 'hideSecretData' | 'normalize';
  config?: KubeObject | null;
  live?: KubeObject | null;
  target?: KubeObject | null;
  input?: KubeObject;
  normalizer?: 'secret' | 'remarshal';
  hideAnnotations?: string[] | null;
  serverSideDryRunResult?: KubeObject;
  options?: {
    mode?: string;
    ignoreAggregatedRoles?: boolean;
    ignoreDifferences?: IgnoreDifferencesRule[];
    manager?: string;
    ignoreMutationWebhook?: boolean;
  };
  expected: { modified?: boolean; differingFields?: string[]; checks?: Check[] };
}

function runCheck(check: Check, targets: Record<string, unknown>): string | undefined {
  const root = targets[check.target];
  const value = getAtPointer(root, parseJsonPointer(check.pointer));
  const where = `${check.target}${check.pointer}`;
  if (check.absent) return value === undefined ? undefined : `${where} should be absent`;
  if (check.present) return value !== undefined ? undefined : `${where} should be present`;
  if (check.nullOrAbsent)
    return value === undefined || value === null ? undefined : `${where} should be null or absent`;
  if (check.length !== undefined) {
    return Array.isArray(value) && value.length === check.length
      ? undefined
      : `${where} should have length ${check.length}, has ${Array.isArray(value) ? value.length : 'none'}`;
  }
  if (check.contains !== undefined) {
    const want = check.contains;
    const ok =
      Array.isArray(value) &&
      value.some(
        (item) => isJsonObject(item) && Object.entries(want).every(([k, v]) => jsonEqual(item[k], v)),
      );
    return ok ? undefined : `${where} should contain ${JSON.stringify(want)}`;
  }
  if (check.equals !== undefined) {
    return jsonEqual(value, check.equals)
      ? undefined
      : `${where} should equal ${JSON.stringify(check.equals)}, is ${JSON.stringify(value)}`;
  }
  return `${where}: unknown check`;
}

function strategyOf(mode: string | undefined): DiffStrategy {
  if (mode === 'structured-merge' || mode === 'server-side') return mode;
  return 'auto';
}

function runCase(c: Case): string | undefined {
  const failures: string[] = [];
  let targets: Record<string, unknown> = {};
  if (c.op === 'diff') {
    const options: DiffOptions = {
      strategy: strategyOf(c.options?.mode),
      ignoreAggregatedRoles: c.options?.ignoreAggregatedRoles ?? false,
      ignoreDifferences: c.options?.ignoreDifferences,
      manager: c.options?.manager,
      ignoreMutationWebhook: c.options?.ignoreMutationWebhook,
      serverSideDryRun: c.serverSideDryRunResult,
    };
    const result = diff(c.config ?? null, c.live ?? null, options);
    if (c.expected.modified !== undefined && result.modified !== c.expected.modified) {
      failures.push(
        `modified is ${result.modified}, expected ${c.expected.modified} (changes: ${result.changes
          .map((ch) => ch.pointer)
          .slice(0, 5)
          .join(', ')})`,
      );
    }
    for (const field of c.expected.differingFields ?? []) {
      const reported = result.changes.some(
        (ch) =>
          ch.pointer === field || ch.pointer.startsWith(`${field}/`) || field.startsWith(`${ch.pointer}/`),
      );
      if (!reported) failures.push(`${field} not reported as different`);
    }
    targets = { predictedLive: result.predictedLive, normalizedLive: result.normalizedLive };
  } else if (c.op === 'hideSecretData') {
    const masked = hideSecretData(c.target ?? null, c.live ?? null, { hideAnnotations: c.hideAnnotations });
    let lastApplied: unknown;
    const text = masked.live?.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
    if (typeof text === 'string') {
      try {
        lastApplied = JSON.parse(text);
      } catch {
        lastApplied = undefined;
      }
    }
    targets = { target: masked.target, live: masked.live, lastApplied };
  } else if (c.op === 'normalize' && c.input !== undefined) {
    let result: KubeObject;
    if (c.normalizer === 'secret') {
      result = structuredClone(c.input);
      foldSecretStringData(result);
    } else {
      result = normalizeObject(c.input, { compareStatus: true });
    }
    targets = { result };
  } else {
    return `unsupported op ${c.op}`;
  }
  for (const check of c.expected.checks ?? []) {
    const problem = runCheck(check, targets);
    if (problem) failures.push(problem);
  }
  return failures.length === 0 ? undefined : failures.join('; ');
}

/** Runs every case of the diff corpus. */
export async function run(dir: string): Promise<CorpusResult> {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as {
    cases: { id: string; file: string }[];
  };
  const result: CorpusResult = { passed: 0, total: 0, failures: [] };
  for (const entry of index.cases) {
    result.total++;
    let reason: string | undefined;
    try {
      const c = JSON.parse(readFileSync(join(dir, entry.file), 'utf8')) as Case;
      reason = runCase(c);
    } catch (err) {
      reason = `threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;
    }
    if (reason === undefined) result.passed++;
    else result.failures.push({ id: entry.id, reason });
  }
  stopJq();
  return result;
}
