import { isAlreadyExists, isNotFound, KubeApiError } from '@gitops-kit/cluster';
import type { RunContext } from './context.js';
import { mapLimit } from './map-limit.js';
import { retryOperation } from './retrying.js';
import type { Work } from './work.js';

/**
 * The namespaces the works' objects live in that do not exist (sorted), leaving out those the
 * works create themselves. A namespace the credentials may not read is left to the dry run.
 */
export async function missingNamespaces(ctx: RunContext, works: Work[]): Promise<string[]> {
  const wanted = new Set<string>();
  for (const w of works)
    if (w.task.action !== 'prune' && w.task.key.namespace) wanted.add(w.task.key.namespace);
  for (const w of works)
    if (w.task.key.kind === 'Namespace' && w.task.key.group === '') wanted.delete(w.task.key.name);
  const missing: string[] = [];
  await mapLimit([...wanted], ctx.concurrency, async (ns) => {
    try {
      await retryOperation(ctx, undefined, `get namespace ${ns}`, () =>
        ctx.cluster.get({ apiVersion: 'v1', kind: 'Namespace', name: ns }),
      );
    } catch (err) {
      if (isNotFound(err)) missing.push(ns);
      // Credentials confined to namespaces may not read Namespace objects: the dry run will tell.
      else if (!(err instanceof KubeApiError && err.status === 403)) throw err;
    }
  });
  return missing.sort();
}

/** Creates the namespaces (createNamespace); one that exists meanwhile is as wanted. */
export async function createNamespaces(ctx: RunContext, namespaces: readonly string[]): Promise<void> {
  for (const ns of namespaces) {
    await retryOperation(ctx, undefined, `create namespace ${ns}`, async () => {
      try {
        ctx.writes++;
        await ctx.cluster.create(
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
          { fieldManager: ctx.manager },
        );
      } catch (err) {
        // Created meanwhile (or by our own attempt whose answer was lost): it exists, as wanted.
        if (!isAlreadyExists(err)) throw err;
      }
    });
    ctx.emit({ type: 'namespace-created', namespace: ns });
  }
}
