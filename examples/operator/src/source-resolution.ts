import type { ClusterClient } from '@gitops-kit/cluster';
import type { KubeObject } from '@gitops-kit/core';
import { REFRESH_ANNOTATION } from './application-informer.js';
import type { Application } from './application-schema.js';
import { buildInputsLoader } from './build-inputs.js';
import { MANIFEST_GENERATE_PATHS_ANNOTATION, manifestGeneratePaths } from './render-inputs.js';
import type { RenderOutcome, SourceCache } from './source-cache.js';
import type { OperationRequest } from './sync-operation.js';

/**
 * When an Application's source is resolved again: Applications queued by a live change only need
 * not be (as Argo CD compares with the cached revision then); a poll, a webhook or a spec change
 * resolves.
 */
export class SourceResolution {
  private readonly client: ClusterClient;
  private readonly sourceCache: SourceCache;
  private readonly liveTriggered = new Set<string>();
  private readonly resolvedGeneration = new Map<string, number | undefined>();

  /** `client` reads the build inputs (ConfigMaps, Secrets) an Application's source names. */
  constructor(client: ClusterClient, sourceCache: SourceCache) {
    this.client = client;
    this.sourceCache = sourceCache;
  }

  /** Says a live change queued the Application `key`. */
  liveChanged(key: string): void {
    this.liveTriggered.add(key);
  }

  /** Says a push came for an Application: its next reconcile resolves the source whatever queued it. */
  sourceChanged(key: string): void {
    this.liveTriggered.delete(key);
    this.resolvedGeneration.delete(key);
  }

  /** Forgets what was kept for an Application that is gone. */
  forget(key: string): void {
    this.sourceChanged(key);
  }

  /**
   * Renders the source the request names. Queued by a live change only (no operation, no refresh,
   * the spec as last resolved), the cached revision will do: the source is not resolved again.
   */
  async render(
    key: string,
    raw: KubeObject,
    app: Application,
    request: OperationRequest,
  ): Promise<RenderOutcome> {
    const generation = app.metadata.generation;
    const liveOnly =
      this.liveTriggered.delete(key) &&
      !request.carried &&
      raw.metadata.annotations?.[REFRESH_ANNOTATION] === undefined &&
      this.resolvedGeneration.has(key) &&
      this.resolvedGeneration.get(key) === generation;
    this.sourceCache.useBuildInputs(key, buildInputsLoader(this.client, app));
    const generatePaths = raw.metadata.annotations?.[MANIFEST_GENERATE_PATHS_ANNOTATION];
    this.sourceCache.useGeneratePaths(key, manifestGeneratePaths(generatePaths, request.source.path));
    const rendered = await this.sourceCache.render(
      key,
      request.source,
      request.revisionOverride,
      request.refreshHard,
      !liveOnly,
    );
    this.resolvedGeneration.set(key, generation);
    return rendered;
  }
}
