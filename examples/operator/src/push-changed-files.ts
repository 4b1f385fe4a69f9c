import { posix } from 'node:path';

/** The most changed files kept from one push; beyond it the push counts as touching everything. */
export const MAX_PUSH_CHANGED_FILES = 10_000;

function record(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/**
 * The repository paths a push's commits added, modified or removed (GitHub, GitLab and Gitea push
 * payloads list them per commit), without a leading slash; undefined when the payload cannot say
 * for sure: no commit listed (a tag or a new branch), a forced or new-branch push (GitHub says so),
 * fewer commits listed than pushed (GitLab's `total_commits_count`, Gitea's `total_commits`), or
 * more than {@link MAX_PUSH_CHANGED_FILES} files. Undefined means "every Application of the ref".
 */
export function changedFilesOf(payload: Record<string, unknown>): string[] | undefined {
  if (payload.forced === true || payload.created === true) return undefined;
  const commits = Array.isArray(payload.commits) ? payload.commits : [];
  if (commits.length === 0) return undefined;
  const total = payload.total_commits_count ?? payload.total_commits;
  if (typeof total === 'number' && total > commits.length) return undefined;
  const files = new Set<string>();
  for (const c of commits) {
    const commit = record(c);
    for (const list of [commit.added, commit.modified, commit.removed]) {
      if (list === undefined) continue;
      // A commit without its lists (a provider's trimmed payload) says nothing about its files.
      if (!Array.isArray(list)) return undefined;
      for (const f of list) {
        if (typeof f !== 'string' || f === '') continue;
        files.add(f.replace(/^\/+/, ''));
        if (files.size > MAX_PUSH_CHANGED_FILES) return undefined;
      }
    }
    if (commit.added === undefined && commit.modified === undefined && commit.removed === undefined)
      return undefined;
  }
  return [...files];
}

/** Go's `filepath.Match` as a regular expression: `*` and `?` stop at `/`, `[…]` classes. */
function globExpression(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) return /$^/; // malformed: matches nothing, as filepath.Match's ErrBadPattern
      const body = glob
        .slice(i + 1, end)
        .replace(/^!/, '^')
        .replace(/\\/g, '\\\\');
      re += `[${body}]`;
      i = end;
    } else re += c.replace(/[.+^$(){}|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * True when one of `changedFiles` (repository paths) is one of `paths` (repository-absolute, from
 * the manifest-generate-paths annotation), lies under one, or matches one as a glob, as Argo CD's
 * webhook decides whether a push concerns an Application.
 */
export function pushTouchesPaths(changedFiles: readonly string[], paths: readonly string[]): boolean {
  const globs = paths.map((p) => (/[*?[]/.test(p) ? globExpression(p) : undefined));
  for (const file of changedFiles) {
    const f = posix.join('/', file);
    for (const [i, path] of paths.entries()) {
      if (f === path || path === '/' || f.startsWith(`${path}/`)) return true;
      if (globs[i]?.test(f)) return true;
    }
  }
  return false;
}
