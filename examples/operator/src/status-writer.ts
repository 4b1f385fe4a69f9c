import type { ClusterClient } from '@gitops-kit/cluster';
import { isGitOpsError, type JsonObject, type KubeObject } from '@gitops-kit/core';
import type { ApplicationStatus } from './application-schema.js';

/**
 * Writes an Application's status through the status subresource. The status is computed whole by
 * the operator, so on a resourceVersion conflict (the spec changed meanwhile) it is written again
 * on the latest object, up to `attempts` times, keeping the latest spec untouched.
 */
export async function writeApplicationStatus(
  client: ClusterClient,
  app: KubeObject,
  status: ApplicationStatus,
  attempts = 3,
): Promise<KubeObject> {
  let current = app;
  for (let i = 1; ; i++) {
    try {
      return await client.updateStatus({ ...current, status: status as unknown as JsonObject });
    } catch (err) {
      if (!isGitOpsError(err, 'CONFLICT') || i >= attempts) throw err;
      current = await client.get({
        apiVersion: app.apiVersion,
        kind: app.kind,
        namespace: app.metadata.namespace,
        name: app.metadata.name ?? '',
      });
    }
  }
}
