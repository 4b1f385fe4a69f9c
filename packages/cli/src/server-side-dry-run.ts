import type { ClusterClient } from '@gitops-kit/cluster';
import { formatObjectKey, type KubeObject, type ObjectKey, objectKeyOf } from '@gitops-kit/core';
import type { DiffManyOptions } from '@gitops-kit/diff';

/** The field manager of `diff --server-side` (the one `gitops-kit apply --server-side` writes with). */
export const DEFAULT_DIFF_FIELD_MANAGER = 'gitops-kit';

// Version-free: diffMany keys desired objects with their own version, the answer has the same one.
const idOf = (key: ObjectKey) => formatObjectKey({ ...key, version: '' });

/**
 * Sends each desired object as a server-side apply dry run (`dryRun=All`), as `kubectl diff
 * --server-side` does, and returns diffMany options that compare live with the server's answers
 * (the `server-side` strategy: defaults, admission mutations and other managers' fields as the
 * server decides them). A refused dry run (a conflict without `force`, an invalid object) throws.
 */
export async function serverSideDiffOptions(
  client: ClusterClient,
  desired: readonly KubeObject[],
  options: { fieldManager: string; force: boolean; defaultNamespace: string },
): Promise<DiffManyOptions> {
  const answers = new Map<string, KubeObject>();
  for (const obj of desired) {
    const answer = await client.apply(obj, {
      fieldManager: options.fieldManager,
      force: options.force,
      dryRun: true,
    });
    answers.set(idOf(objectKeyOf(obj, options.defaultNamespace)), answer);
  }
  return {
    strategy: 'server-side',
    manager: options.fieldManager,
    perObject: (key) => {
      const answer = answers.get(idOf(key)) ?? answers.get(idOf({ ...key, namespace: '' }));
      return answer ? { serverSideDryRun: answer } : undefined;
    },
  };
}
