// Path globs of the git generators. Directories match as Go's `path.Match` (Argo CD's directory
// generator): `*` is any run of characters but `/`, `?` one character but `/`, `[...]` a class
// (`[^...]` negated, `a-z` ranges), `\` escapes. Files match with `**` too, as doublestar does:
// a `**` segment is any number of directories, including none; `{a,b}` is either.
import { ValidationError } from '@gitops-kit/core';

function escapeChar(ch: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(ch) ? `\\${ch}` : ch;
}

// A `[...]` class starting at `i`; the regex source and the index after it.
function charClass(pattern: string, i: number, path: string): { src: string; next: number } {
  let j = i + 1;
  let src = '[';
  if (pattern[j] === '^' || pattern[j] === '!') {
    src += '^/';
    j++;
  }
  let first = true;
  while (j < pattern.length && (pattern[j] !== ']' || first)) {
    const ch = pattern[j] as string;
    if (ch === '\\' && j + 1 < pattern.length) {
      src += escapeChar(pattern[j + 1] as string);
      j += 2;
    } else {
      src += ch === '-' ? '-' : escapeChar(ch);
      j++;
    }
    first = false;
  }
  if (j >= pattern.length) throw new ValidationError(`unterminated [ in the glob "${pattern}"`, { path });
  return { src: `${src}]`, next: j + 1 };
}

/**
 * A regular expression for a glob over `/`-separated relative paths. `doubleStar` enables `**`
 * segments and `{a,b}` alternatives (file globs). Throws a ValidationError naming `path` (the field
 * the glob came from) for a malformed glob.
 */
export function globToRegExp(pattern: string, options: { doubleStar: boolean; path: string }): RegExp {
  let src = '';
  let braces = 0;
  for (let i = 0; i < pattern.length; ) {
    const ch = pattern[i] as string;
    if (options.doubleStar && pattern.startsWith('**', i)) {
      const atStart = i === 0 || pattern[i - 1] === '/';
      const atEnd = i + 2 === pattern.length || pattern[i + 2] === '/';
      if (atStart && atEnd) {
        // `**/` is zero or more directories; a final `**` is anything below.
        if (i + 2 === pattern.length) src += '.*';
        else src += '(?:[^/]*/)*';
        i += i + 2 === pattern.length ? 2 : 3;
        continue;
      }
    }
    if (ch === '*') {
      src += '[^/]*';
      i++;
    } else if (ch === '?') {
      src += '[^/]';
      i++;
    } else if (ch === '[') {
      const c = charClass(pattern, i, options.path);
      src += c.src;
      i = c.next;
    } else if (ch === '\\' && i + 1 < pattern.length) {
      src += escapeChar(pattern[i + 1] as string);
      i += 2;
    } else if (options.doubleStar && ch === '{') {
      src += '(?:';
      braces++;
      i++;
    } else if (options.doubleStar && ch === ',' && braces > 0) {
      src += '|';
      i++;
    } else if (options.doubleStar && ch === '}' && braces > 0) {
      src += ')';
      braces--;
      i++;
    } else {
      src += escapeChar(ch);
      i++;
    }
  }
  if (braces > 0)
    throw new ValidationError(`unterminated { in the glob "${pattern}"`, { path: options.path });
  return new RegExp(`^${src}$`, 's');
}

/** A glob with a leading `/` or `./` taken as relative to the repository root, as Argo CD does. */
export function relativeGlob(pattern: string): string {
  return pattern.replace(/^(\.\/|\/)+/, '');
}
