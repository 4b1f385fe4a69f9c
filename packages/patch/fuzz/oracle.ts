/**
 * Applies a case with both sides — `kubectl patch -f OBJ --local --type T -p PATCH -o json` (the
 * oracle) and this package's apply functions — and compares them as the golden tests do: the
 * objects equal as JSON (key order aside, list order counted), a refusal on both sides is
 * agreement, and a refusal of ours must be a typed GitOpsError. A mismatch is confirmed by running
 * kubectl four times more: an answer that changes between runs is Go's map order deciding, and skipped.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isGitOpsError, type JsonObject, type JsonValue, jsonEqual } from '@gitops-kit/core';
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  type JsonPatchOperation,
} from '../src/index.js';
import { knownGap } from './gaps.js';
import type { FuzzCase } from './generator.js';

/** What one side made of a case: the patched object, or its refusal. */
export type Outcome =
  | { ok: true; object: JsonValue }
  | { ok: false; error: string; code?: string; panicked?: boolean };

/** How the two sides disagree. */
export type MismatchClass = 'differs' | 'ours-refuses' | 'kubectl-refuses' | 'untyped-error';

/** The comparison of both outcomes. */
export interface Verdict {
  ours: Outcome;
  kubectl: Outcome;
  /** Why the case says nothing about us (kubectl's answer changes between runs, or is not a patch's). */
  skipped?: string;
  /** The known gap (gaps.ts) the mismatch is, when there is one. */
  gap?: string;
  /** Undefined when both agree. */
  mismatch?: { class: MismatchClass; detail: string; signature: string } | undefined;
}

// kubectl decodes the patched object before it prints it: a result without its kind is refused
// there, which is the command's business, not the patch's.
const DECODE_ERRORS =
  /Object 'Kind' is missing|Object 'apiVersion' is missing|unable to decode|cannot unmarshal/;

/** Runs kubectl on the case in `dir`; a non-zero exit is a refusal (its first line). */
export function runKubectl(dir: string, c: FuzzCase, timeoutMs = 30_000): Promise<Outcome> {
  const file = join(dir, 'obj.json');
  writeFileSync(file, JSON.stringify(c.original));
  const args = [
    'patch',
    '-f',
    file,
    '--local',
    '--type',
    c.type,
    '-p',
    JSON.stringify(c.patch),
    '-o',
    'json',
  ];
  return new Promise((resolve) => {
    execFile('kubectl', args, { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      // A Go panic is kubectl crashing (the API server would answer 500), not a patch's answer.
      if (err)
        resolve({
          ok: false,
          error: stderr.trim().split('\n')[0] || err.message,
          panicked: /^panic: /m.test(stderr),
        });
      else resolve({ ok: true, object: JSON.parse(stdout) as JsonValue });
    });
  });
}

/** Applies the case with this package; a throw is a refusal. */
export function runOurs(c: FuzzCase): Outcome {
  try {
    const original = c.original as JsonObject;
    let object: JsonValue;
    if (c.type === 'strategic')
      object = applyStrategicMergePatch(original, c.patch as JsonObject, { untyped: 'error' });
    else if (c.type === 'merge') object = applyMergePatch(original, c.patch as JsonValue);
    else object = applyJsonPatch(original, c.patch as unknown as JsonPatchOperation[]);
    return { ok: true, object };
  } catch (err) {
    const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return isGitOpsError(err) ? { ok: false, error, code: err.code } : { ok: false, error };
  }
}

/** The first place two JSON values differ, as a path (list indexes as `[i]`). */
export function firstDifference(a: JsonValue | undefined, b: JsonValue | undefined, at = ''): string {
  if (jsonEqual(a, b)) return '';
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${at} (length ${a.length} vs ${b.length})`;
    for (let i = 0; i < a.length; i++)
      if (!jsonEqual(a[i], b[i])) return firstDifference(a[i], b[i], `${at}[${i}]`);
  }
  const isMap = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isMap(a) && isMap(b))
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort())
      if (!jsonEqual(a[k], b[k])) return firstDifference(a[k], b[k], `${at}.${k}`);
  return at || '.';
}

// A message's shape without its names and numbers, so one bug is one class however it shows.
function shape(text: string): string {
  return text
    .replace(/'[^']*'|"[^"]*"|`[^`]*`/g, 'Q')
    .replace(/\d+/g, 'N')
    .slice(0, 70);
}

/** Compares the outcomes of one case. */
export function compare(c: FuzzCase, ours: Outcome, kubectl: Outcome): Verdict {
  const kind = `${c.type} ${String(c.original.kind)}`;
  if (!kubectl.ok && DECODE_ERRORS.test(kubectl.error)) return { ours, kubectl, skipped: 'decode' };
  if (!kubectl.ok && kubectl.panicked === true) return { ours, kubectl, skipped: 'kubectl-panic' };
  if (!ours.ok && ours.code === undefined) {
    const detail = ours.error;
    return {
      ours,
      kubectl,
      mismatch: { class: 'untyped-error', detail, signature: `untyped ${shape(detail)}` },
    };
  }
  if (ours.ok && kubectl.ok) {
    if (jsonEqual(ours.object, kubectl.object)) return { ours, kubectl };
    const at = firstDifference(ours.object, kubectl.object);
    const where = at.replace(/\[\d+\]/g, '[]').replace(/ \(length.*/, '');
    const detail = `${at}: got ${JSON.stringify(ours.object)}\nwant ${JSON.stringify(kubectl.object)}`;
    return { ours, kubectl, mismatch: { class: 'differs', detail, signature: `differs ${kind} ${where}` } };
  }
  if (!ours.ok && !kubectl.ok) return { ours, kubectl };
  if (!ours.ok)
    return {
      ours,
      kubectl,
      mismatch: {
        class: 'ours-refuses',
        detail: ours.error,
        signature: `ours-refuses ${c.type} ${shape(ours.error)}`,
      },
    };
  const error = (kubectl as { error: string }).error;
  return {
    ours,
    kubectl,
    mismatch: {
      class: 'kubectl-refuses',
      detail: error,
      signature: `kubectl-refuses ${c.type} ${shape(error)}`,
    },
  };
}

const same = (a: Outcome, b: Outcome): boolean =>
  a.ok && b.ok ? jsonEqual(a.object, b.object) : a.ok === b.ok;

/** Applies the case with both sides and compares; a mismatch is confirmed by four more kubectl runs. */
export async function judge(dir: string, c: FuzzCase): Promise<Verdict> {
  const kubectl = await runKubectl(dir, c);
  const verdict = compare(c, runOurs(c), kubectl);
  if (!verdict.mismatch) return verdict;
  for (let i = 0; i < 4; i++)
    if (!same(kubectl, await runKubectl(dir, c)))
      return { ...verdict, mismatch: undefined, skipped: 'map-order' };
  const gap = knownGap(c, verdict.ours, kubectl);
  return gap === undefined ? verdict : { ...verdict, gap: gap.name };
}
