import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The directory `gitops-kit build DIR` never reads outside of: the git work tree holding DIR (the
 * nearest ancestor with a `.git`), as Argo CD confines a render to its repository, else `/`. DIR's
 * real path is used, so a DIR reached through a symlink is confined where it really is.
 */
export function sourceRoot(dir: string): string {
  let current: string;
  try {
    current = realpathSync(dir);
  } catch {
    return '/';
  }
  for (;;) {
    if (existsSync(join(current, '.git'))) return current;
    const parent = dirname(current);
    if (parent === current) return '/';
    current = parent;
  }
}
