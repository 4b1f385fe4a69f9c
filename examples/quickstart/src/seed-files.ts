import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The sample deployment repository shipped with the examples: `base/`, `dev/`, `prod/`. */
export const DEPLOY_REPO_DIR = fileURLToPath(new URL('../../deploy-repo', import.meta.url));

/** Every file of a directory tree, by POSIX path relative to it, ready to be committed. */
export async function readSeedFiles(dir: string = DEPLOY_REPO_DIR): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  async function walk(current: string): Promise<void> {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile())
        files[relative(dir, path).split('\\').join('/')] = await readFile(path, 'utf8');
    }
  }
  await walk(dir);
  return files;
}
