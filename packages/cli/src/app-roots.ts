import { posix } from 'node:path';
import { isJsonObject, parseYaml, type ReadonlyFileSystem } from '@gitops-kit/core';

/** The file names kustomize looks for in a directory, in its order. */
export const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** The directories (repository-relative, `.` for the root) holding a kustomization file. */
export function kustomizationDirs(files: readonly string[]): string[] {
  const dirs = new Set<string>();
  for (const file of files)
    if (KUSTOMIZATION_NAMES.includes(posix.basename(file))) dirs.add(posix.dirname(file));
  return [...dirs].sort();
}

/** The entries of a kustomization that may name another kustomization directory. */
function referencedPaths(doc: unknown): string[] {
  if (!isJsonObject(doc)) return [];
  const out: string[] = [];
  for (const field of ['resources', 'bases', 'components']) {
    const list = doc[field];
    if (Array.isArray(list)) for (const v of list) if (typeof v === 'string') out.push(v);
  }
  return out;
}

/**
 * The application directories of a tree: every kustomization directory that no other
 * kustomization includes (through `resources`, `bases` or `components`) and that is not itself a
 * `Component`. What `preview` renders when no path is given. A kustomization file that does not
 * parse still counts as a root (its render reports the error).
 */
export async function applicationRoots(fs: ReadonlyFileSystem, files: readonly string[]): Promise<string[]> {
  const dirs = kustomizationDirs(files);
  const set = new Set(dirs);
  const included = new Set<string>();
  const components = new Set<string>();
  const fileSet = new Set(files);
  for (const dir of dirs) {
    const name = KUSTOMIZATION_NAMES.find((n) => fileSet.has(dir === '.' ? n : `${dir}/${n}`)) as string;
    let doc: unknown;
    try {
      doc = parseYaml(
        Buffer.from(await fs.readFile(`/${dir === '.' ? '' : `${dir}/`}${name}`)).toString('utf8'),
      );
    } catch {
      continue;
    }
    if (isJsonObject(doc) && doc.kind === 'Component') components.add(dir);
    for (const ref of referencedPaths(doc)) {
      if (/^[a-z][a-z0-9+.-]*:\/\/|^git@|^github\.com\//i.test(ref)) continue;
      const target = posix.normalize(posix.join(dir, ref)).replace(/\/$/, '');
      if (set.has(target) && target !== dir) included.add(target);
    }
  }
  return dirs.filter((d) => !included.has(d) && !components.has(d));
}
