import { readTextFile, ValidationError } from '@gitops-kit/core';
import { parseResources } from './parse-resources.js';
import { type RemoteSource, type Resource, redactUserInfo } from './resource.js';
import { type Accumulator, newAccumulator, type TargetContext } from './target-context.js';

/** Whether a `resources` entry is a remote one (a git URL) rather than a path. */
export function isRemote(path: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(path) ||
    path.startsWith('git@') ||
    /^(github\.com|gitlab\.com|bitbucket\.org)\//.test(path) ||
    path.includes('?ref=') ||
    path.includes('.git//')
  );
}

/**
 * Accumulates a remote `resources` entry through the render's remote loader: a directory is a
 * kustomization of its own (rendered by a target of the remote file system), a file its
 * objects. Each object's source names the repository and revision.
 */
export async function accumulateRemote(
  t: TargetContext,
  entry: string,
  acc: Accumulator,
  kfile: string,
): Promise<void> {
  if (!t.options.remoteLoader) {
    throw new ValidationError(`accumulating resources: remote resource ${entry} needs a remote loader`, {
      file: kfile,
      code: 'UNSUPPORTED',
    });
  }
  const remote = await t.options.remoteLoader(entry);
  const sub = t.remoteTarget(remote.fs, remote.path);
  const st = await remote.fs.stat(remote.path);
  // A source's `file` is relative to the remote directory: say which repository and revision.
  const from: RemoteSource = { url: redactUserInfo(entry), revision: remote.revision };
  if (remote.fs.origin !== undefined) from.origin = remote.fs.origin;
  const tag = (resources: Resource[]): Resource[] => {
    for (const r of resources) if (r.source.remote === undefined) r.source = { ...r.source, remote: from };
    return resources;
  };
  if (st.type === 'directory') {
    const subAcc = await sub.accumulate(remote.path, newAccumulator(), 'Kustomization');
    tag(subAcc.resources);
    t.mergeSub(acc, subAcc);
  } else {
    t.options.inputBudget?.take((await remote.fs.stat(remote.path)).size, entry);
    const text = await readTextFile(remote.fs, remote.path, { maxBytes: t.options.maxFileBytes });
    t.append(acc, tag(parseResources(text, from.url)));
  }
  t.warnings.push(...sub.warnings);
}
