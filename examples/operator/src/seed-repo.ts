import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The example deploy repository (`base/`, `dev/`, `prod/`) the demo and the tests commit. */
export const SEED_REPO_DIR = fileURLToPath(new URL('../../deploy-repo', import.meta.url));

/** The seed repository's files as `path → text`, ready for a test repository commit. */
export async function readSeedRepository(dir = SEED_REPO_DIR): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(d: string): Promise<void> {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) out[relative(dir, full).split('\\').join('/')] = await readFile(full, 'utf8');
    }
  }
  await walk(dir);
  return out;
}
