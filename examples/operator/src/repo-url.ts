/**
 * The identity of a Git repository URL for matching: `host/path` with the host lower-cased and
 * the scheme, user, port, `.git` suffix and trailing slashes dropped, so
 * `https://GitHub.com/team/app.git`, `git@github.com:team/app` and `ssh://git@github.com:22/team/app/`
 * all give `github.com/team/app`. Path case is kept (use {@link sameRepository} to compare: Git
 * hosts treat paths case-insensitively).
 */
export function normalizeRepoURL(url: string): string {
  let text = url.trim();
  let hostAndPath: string;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (scheme) {
    text = text.slice(scheme[0].length);
    const at = text.lastIndexOf('@', text.indexOf('/') < 0 ? text.length : text.indexOf('/'));
    if (at >= 0) text = text.slice(at + 1);
    const slash = text.indexOf('/');
    const authority = slash < 0 ? text : text.slice(0, slash);
    const path = slash < 0 ? '' : text.slice(slash);
    hostAndPath = stripPort(authority).toLowerCase() + path;
  } else {
    // scp-like `user@host:path` (no scheme, a colon before any slash).
    const colon = text.indexOf(':');
    const slash = text.indexOf('/');
    if (colon > 0 && (slash < 0 || colon < slash)) {
      const at = text.lastIndexOf('@', colon);
      const host = text.slice(at + 1, colon).toLowerCase();
      hostAndPath = `${host}/${text.slice(colon + 1).replace(/^\/+/, '')}`;
    } else {
      hostAndPath = text;
    }
  }
  hostAndPath = hostAndPath.split(/[?#]/)[0] ?? '';
  hostAndPath = hostAndPath
    .replace(/\/+$/, '')
    .replace(/\.git$/i, '')
    .replace(/\/+$/, '');
  return hostAndPath.replace(/\/{2,}/g, '/');
}

function stripPort(authority: string): string {
  if (authority.startsWith('[')) {
    const end = authority.indexOf(']');
    return end < 0 ? authority : authority.slice(0, end + 1);
  }
  const colon = authority.lastIndexOf(':');
  return colon < 0 ? authority : authority.slice(0, colon);
}

/** True when two repository URLs name the same repository (see {@link normalizeRepoURL}). */
export function sameRepository(a: string, b: string): boolean {
  const na = normalizeRepoURL(a);
  const nb = normalizeRepoURL(b);
  return na !== '' && na.toLowerCase() === nb.toLowerCase();
}
