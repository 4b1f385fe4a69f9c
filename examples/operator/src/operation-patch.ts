import { isGitOpsError, type JsonValue, type KubeObject } from '@gitops-kit/core';
import { REFRESH_ANNOTATION } from './application-informer.js';
import type { ReconcileContext } from './operator.js';

/**
 * Clears a handled operation and refresh annotation (the spec is left alone) with a JSON patch
 * that first tests they are still the ones carried out: one set meanwhile (by the CLI, the web
 * view) must not be erased; the patch then fails, and the Application as it is now is read back.
 * Answers the Application after the patch (`raw` itself when there was nothing to clear), or
 * undefined when it is gone.
 */
export async function clearHandledOperation(
  ctx: ReconcileContext,
  raw: KubeObject,
  clearOperation: boolean,
): Promise<KubeObject | undefined> {
  const refresh = raw.metadata.annotations?.[REFRESH_ANNOTATION];
  if (!clearOperation && refresh === undefined) return raw;
  const ops: JsonValue[] = [];
  if (clearOperation) {
    ops.push({ op: 'test', path: '/operation', value: (raw.operation ?? null) as JsonValue });
    ops.push({ op: 'remove', path: '/operation' });
  }
  if (refresh !== undefined) {
    const path = `/metadata/annotations/${REFRESH_ANNOTATION.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    ops.push({ op: 'test', path, value: refresh }, { op: 'remove', path });
  }
  const ref = {
    apiVersion: raw.apiVersion,
    kind: raw.kind,
    namespace: raw.metadata.namespace,
    name: raw.metadata.name ?? '',
  };
  try {
    return await ctx.client.patch(ref, 'json', ops);
  } catch (err) {
    if (isGitOpsError(err, 'NOT_FOUND')) return undefined;
    // Changed meanwhile: keep the new operation (its own reconcile follows), write our status.
    ctx.log.info({ err }, 'the operation changed while it was carried out; leaving the new one');
    return ctx.client.get(ref);
  }
}
