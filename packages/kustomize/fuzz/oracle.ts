/**
 * Renders a tree on disk with both renderers — `kubectl kustomize` (the oracle) and
 * `renderKustomization` on the node file system — and compares the bytes. A refusal on both
 * sides is agreement; a refusal on one side only is a mismatch, as is any byte of difference.
 */
import { execFile } from 'node:child_process';
import { nodeFileSystem } from '@gitops-kit/core';
import { renderKustomization } from '../src/index.js';

/** What one renderer made of a tree: its YAML, or its refusal (`panicked`: kustomize crashed). */
export type Outcome = { ok: true; yaml: string } | { ok: false; error: string; panicked?: boolean };

/** How the two renderers disagree. */
export type MismatchClass = 'differs' | 'ours-refuses' | 'kubectl-refuses';

/** The comparison of both outcomes. */
export interface Verdict {
  ours: Outcome;
  kubectl: Outcome;
  /** kubectl crashed (a Go panic): the tree is skipped, neither agreement nor mismatch. */
  skipped?: boolean;
  /** Undefined when both agree. */
  mismatch?: { class: MismatchClass; detail: string; signature: string } | undefined;
}

/** Runs `kubectl kustomize dir`; a timeout or a crash is a refusal. */
export function runKubectl(dir: string, timeoutMs = 30_000): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      'kubectl',
      ['kustomize', dir],
      { timeout: timeoutMs, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        // A Go panic is kustomize crashing, not refusing: such a tree says nothing about us.
        if (err)
          resolve({
            ok: false,
            error: kubectlError(stderr) || err.message,
            panicked: /^panic: /m.test(stderr),
          });
        else resolve({ ok: true, yaml: stdout });
      },
    );
  });
}

// kubectl prints deprecation warnings first and the error as a klog line: `... err="<quoted>"`,
// or for a multi-line message `err=<` followed by tab-indented lines and ` >`.
function kubectlError(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('# Warning'));
  const text = lines.join('\n');
  const block = text.match(/ err=<\n((?:\t.*\n?)*)/);
  if (block) return (block[1] as string).replace(/^\t/gm, '').trim();
  const m = text.match(/ err="((?:[^"\\]|\\.)*)"/);
  if (m) {
    try {
      return JSON.parse(`"${m[1]}"`) as string;
    } catch {
      return m[1] as string;
    }
  }
  return text.replace(/^Error: /, '').trim();
}

/** The innermost cause of a kustomize error: its wrappers name directories, not the problem. */
export function innermost(message: string): string {
  return message
    .replace(
      /^[\s\S]*(recursed accumulation of path '[^']*'|must build at directory: '[^']*'|accumulateDirectory: "?|accumulation err='[^']*'|couldn't make target for path '[^']*'): /,
      '',
    )
    .replace(/\/tmp\/kustomize-fuzz-work-[^/]+\/[^/]+\//g, '');
}

/** Runs our renderer on the directory; a throw is a refusal. */
export async function runOurs(dir: string, timeoutMs = 30_000): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, error: `timed out after ${timeoutMs} ms` }), timeoutMs);
  });
  try {
    return await Promise.race([
      renderKustomization(nodeFileSystem(), dir).then((r): Outcome => ({ ok: true, yaml: r.yaml })),
      timeout,
    ]);
  } catch (err) {
    return { ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

// A message's shape without its names and numbers, so one bug is one class however it shows.
function shape(text: string): string {
  return text
    .replace(/'[^']*'|"[^"]*"|`[^`]*`/g, 'Q')
    .replace(/[0-9a-f]{6,}/g, 'H')
    .replace(/\d+/g, 'N')
    .slice(0, 80);
}

/** `Kind field.path` of line `i` of a YAML stream (by indentation), to name where outputs part. */
function where(lines: readonly string[], i: number): string {
  const at = Math.min(i, lines.length - 1);
  let start = at;
  while (start > 0 && lines[start] !== '---') start--;
  let end = start + 1;
  while (end < lines.length && lines[end] !== '---') end++;
  const kind =
    lines
      .slice(start, end)
      .find((l) => l.startsWith('kind: '))
      ?.slice(6) ?? '?';
  const path: string[] = [];
  let indent = Infinity;
  for (let j = at; j > start; j--) {
    const line = lines[j] as string;
    const ind = line.length - line.trimStart().length;
    const key = line
      .trimStart()
      .replace(/^- /, '')
      .match(/^([^:]+):/)?.[1];
    if (ind < indent && key) {
      path.unshift(key);
      indent = ind;
    }
    if (ind === 0) break;
  }
  return `${kind} ${path.join('.')}`;
}

/** Compares two outcomes of the same tree. */
export function compare(ours: Outcome, kubectl: Outcome): Verdict {
  if (!kubectl.ok && kubectl.panicked) return { ours, kubectl, skipped: true };
  if (ours.ok && kubectl.ok) {
    if (ours.yaml === kubectl.yaml) return { ours, kubectl };
    const a = ours.yaml.split('\n');
    const b = kubectl.yaml.split('\n');
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    const detail = `line ${i + 1}: got ${JSON.stringify(a[i] ?? '<end>')}, want ${JSON.stringify(b[i] ?? '<end>')}`;
    return { ours, kubectl, mismatch: { class: 'differs', detail, signature: `differs ${where(b, i)}` } };
  }
  if (!ours.ok && !kubectl.ok) return { ours, kubectl };
  if (!ours.ok)
    return {
      ours,
      kubectl,
      mismatch: {
        class: 'ours-refuses',
        detail: ours.error,
        signature: `ours-refuses ${shape(innermost(ours.error))}`,
      },
    };
  const error = (kubectl as { error: string }).error;
  return {
    ours,
    kubectl,
    mismatch: {
      class: 'kubectl-refuses',
      detail: error,
      signature: `kubectl-refuses ${shape(innermost(error))}`,
    },
  };
}

/** Renders `dir` with both renderers at once and compares. */
export async function judge(dir: string): Promise<Verdict> {
  const [kubectl, ours] = await Promise.all([runKubectl(dir), runOurs(dir)]);
  return compare(ours, kubectl);
}
