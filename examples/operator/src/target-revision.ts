import type { GitRef } from '@gitops-kit/git';

/** What an Application's `targetRevision` names. */
export type TargetRevision =
  | { kind: 'default' }
  | { kind: 'commit'; commit: string }
  | { kind: 'ref'; name: string }
  | { kind: 'semver'; range: string }
  | { kind: 'branch-or-tag'; name: string };

const FULL_SHA = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/i;
const EXACT_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
// Operators, wildcards, ranges and alternatives: what makes a string a constraint rather than a name.
const CONSTRAINT = /[\^~*<>=|,]|\s-\s|(^|\.)[xX](\.|$)|^v?\d+(\.\d+)?$/;

/**
 * Classifies a `targetRevision` as Argo CD reads it: empty or `HEAD` is the default branch; a full
 * commit SHA is pinned; `refs/…` is a ref; a semver constraint (`^1.2`, `>=1.0.0 <2.0.0`, `1.x`, `1.2`)
 * selects the highest matching tag, while an exact version (`v1.2.3`) is a name; anything else is
 * a branch or a tag, decided against the remote's refs.
 */
export function classifyTargetRevision(targetRevision: string | undefined): TargetRevision {
  const t = (targetRevision ?? '').trim();
  if (t === '' || t === 'HEAD') return { kind: 'default' };
  if (FULL_SHA.test(t)) return { kind: 'commit', commit: t.toLowerCase() };
  if (t.startsWith('refs/')) return { kind: 'ref', name: t };
  if (!EXACT_VERSION.test(t) && CONSTRAINT.test(t)) return { kind: 'semver', range: t };
  return { kind: 'branch-or-tag', name: t };
}

/**
 * The Git ref to fetch for a `targetRevision`. A name that could be a branch or a tag is a branch
 * when the remote has a branch of that name (branches list before tags, which is what Argo CD's
 * resolution amounts to), else a tag when it has that tag, else a branch (so the fetch reports it
 * missing). Without the remote's refs, an exact version (`v1.2.3`) is taken as a tag, any other
 * name as a branch.
 */
export function gitRefFor(
  targetRevision: string | undefined,
  remote?: { branches: ReadonlySet<string>; tags: ReadonlySet<string> },
): GitRef {
  const t = classifyTargetRevision(targetRevision);
  switch (t.kind) {
    case 'default':
      return {};
    case 'commit':
      return { commit: t.commit };
    case 'ref':
      return { name: t.name };
    case 'semver':
      return { semver: t.range };
    case 'branch-or-tag':
      if (remote)
        return !remote.branches.has(t.name) && remote.tags.has(t.name) ? { tag: t.name } : { branch: t.name };
      return EXACT_VERSION.test(t.name) ? { tag: t.name } : { branch: t.name };
  }
}

/**
 * The Git ref of a revision the operator recorded (`<label>@sha1:<commit>` or `sha1:<commit>`):
 * that commit, reported under the same label, so a resumed sync renders and records the very
 * revision it started with. Anything else is read as a `targetRevision` ({@link gitRefFor}).
 */
export function gitRefForRevision(revision: string): GitRef {
  const m = /^(?:(.+)@)?sha1:([0-9a-f]{40})$/.exec(revision.trim());
  if (!m?.[2]) return gitRefFor(revision);
  return m[1] !== undefined ? { branch: m[1], commit: m[2] } : { commit: m[2] };
}

/** The commit SHA-1 of a revision (`main@sha1:…`, `sha1:…` or the bare SHA), if it names one. */
export function commitOf(revision: string): string | undefined {
  const m = /sha1:([0-9a-f]{40})$/.exec(revision) ?? /^([0-9a-f]{40})$/.exec(revision);
  return m?.[1];
}

/**
 * A short form of a Flux-style revision for messages: `main@abc1234`; an OCI artifact's
 * `v1.0.0@sha256:<hex>` keeps twelve digits of its digest (`v1.0.0@sha256:0123456789ab`).
 */
export function shortRevision(revision: string | undefined): string {
  if (!revision) return '';
  const oci = /^((?:.+@)?sha256:)([0-9a-f]{64})$/.exec(revision);
  if (oci?.[1] && oci[2]) return `${oci[1]}${oci[2].slice(0, 12)}`;
  const commit = commitOf(revision);
  if (!commit) return revision;
  const name = revision.includes('@') ? revision.slice(0, revision.indexOf('@')) : '';
  return name ? `${name}@${commit.slice(0, 7)}` : commit.slice(0, 7);
}
