import { isJsonObject, type KubeObject, parseYamlDocuments } from '@gitops-kit/core';
import { GitCommandError, type GitRevisionFileSystem, git } from './git-revision-fs.js';

/** The most CRD files read from a tree. */
const MAX_CRD_FILES = 2000;

/**
 * The CustomResourceDefinitions in the YAML and JSON files of a revision's tree, wherever they are
 * (found with `git grep` on the object database, so only files that mention the kind are read).
 * A file that does not parse is passed over: its own render reports it.
 */
export async function readTreeCrds(repo: string, fs: GitRevisionFileSystem): Promise<KubeObject[]> {
  let listing: string;
  try {
    listing = await git(repo, [
      'grep',
      '-l',
      '-z',
      '-I',
      '-E',
      'kind:[[:space:]]*["\']?CustomResourceDefinition',
      fs.commit,
      '--',
      '*.yaml',
      '*.yml',
      '*.json',
    ]);
  } catch (err) {
    // git grep exits 1 when nothing matches.
    if (err instanceof GitCommandError) return [];
    throw err;
  }
  const prefix = `${fs.commit}:`;
  const files = listing
    .split('\0')
    .filter((p) => p !== '')
    .map((p) => (p.startsWith(prefix) ? p.slice(prefix.length) : p))
    .slice(0, MAX_CRD_FILES);
  const out: KubeObject[] = [];
  for (const file of files) {
    try {
      const text = Buffer.from(await fs.readFile(`/${file}`)).toString('utf8');
      for (const doc of parseYamlDocuments(text, { file }))
        if (isJsonObject(doc.value) && doc.value.kind === 'CustomResourceDefinition')
          out.push(doc.value as unknown as KubeObject);
    } catch {
      // Not YAML after all, or too large: not a schema source.
    }
  }
  return out;
}
