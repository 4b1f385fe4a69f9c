import type { GitOpsError, ReadonlyFileSystem } from '@gitops-kit/core';
import { LRUCache } from 'lru-cache';
import { asGitOpsError } from './gitops-error-of.js';
import {
  annotatedInputs,
  RenderInputRecorder,
  type RenderInputs,
  renderInputsUnchanged,
} from './render-inputs.js';
import type { RenderedSource } from './render-source.js';

/** A render kept per Application and revision override, with what it read. */
interface CachedRender {
  revision: string;
  sourceJson: string;
  rendered?: RenderedSource | undefined;
  error?: GitOpsError | undefined;
  /** What the render depended on; undefined: reusable at its own revision only. */
  inputs?: RenderInputs | undefined;
}

/** What {@link RenderCache.render} did: rendered the tree, or reused a render of another revision. */
export type RenderKind = 'rendered' | 'reused';

/** The default of {@link RenderCacheOptions.max}. */
export const DEFAULT_MAX_CACHED_RENDERS = 4096;

/** Options of a {@link RenderCache}. */
export interface RenderCacheOptions {
  /** The most renders kept (least recently used dropped first). Default {@link DEFAULT_MAX_CACHED_RENDERS}. */
  max?: number | undefined;
  /** Told of each render made or reused (not of a render answered for its own revision again). */
  onRender?: ((kind: RenderKind) => void) | undefined;
}

/** One render asked of a {@link RenderCache}. */
export interface RenderRequest {
  /** The cache key: the Application's key and revision override. */
  key: string;
  /** The tree at the revision to render. */
  snapshot: { revision: string; fs: ReadonlyFileSystem };
  /** The source's render settings and build inputs' id, as JSON: a change means a new render. */
  sourceJson: string;
  /** Render again whatever is cached (a hard refresh). */
  hard: boolean;
  /** The manifest-generate-paths annotation's paths, when set: they replace the recorded inputs. */
  generatePaths?: readonly string[] | undefined;
  /** Renders from a file system (the tree's, wrapped to record what is read). */
  render: (fs: ReadonlyFileSystem) => Promise<RenderedSource>;
}

/**
 * The renders of Applications, bounded (LRU), each with the inputs it read. When an Application's
 * source moves to a new revision and none of those inputs changed (their git object ids, a
 * directory's listing), the render is reused for the new revision instead of rendering again.
 * A render that failed is never reused for another revision.
 */
export class RenderCache {
  private readonly entries: LRUCache<string, CachedRender>;
  private readonly onRender: ((kind: RenderKind) => void) | undefined;

  constructor(options: RenderCacheOptions = {}) {
    this.entries = new LRUCache({ max: Math.max(1, options.max ?? DEFAULT_MAX_CACHED_RENDERS) });
    this.onRender = options.onRender;
  }

  /** How many renders are kept. */
  get size(): number {
    return this.entries.size;
  }

  /** Forgets the renders of Application `appKey` (keys `appKey` + newline + override). */
  forget(appKey: string): void {
    for (const k of [...this.entries.keys()]) if (k.startsWith(`${appKey}\n`)) this.entries.delete(k);
  }

  /** The render of `request`: the cached one, one reused from another revision, or a new one. */
  async render(request: RenderRequest): Promise<{ rendered?: RenderedSource; error?: GitOpsError }> {
    const { snapshot, sourceJson } = request;
    const cached = this.entries.get(request.key);
    if (!request.hard && cached && cached.sourceJson === sourceJson) {
      if (cached.revision === snapshot.revision) return { rendered: cached.rendered, error: cached.error };
      if (cached.rendered && cached.inputs && (await renderInputsUnchanged(cached.inputs, snapshot.fs))) {
        cached.revision = snapshot.revision;
        this.onRender?.('reused');
        return { rendered: cached.rendered };
      }
    }
    const entry: CachedRender = { revision: snapshot.revision, sourceJson };
    const recorder = new RenderInputRecorder();
    try {
      entry.rendered = await request.render(recorder.wrap(snapshot.fs));
      entry.inputs =
        (request.generatePaths && (await annotatedInputs(request.generatePaths, snapshot.fs))) ??
        (await recorder.inputs(snapshot.fs));
    } catch (err) {
      entry.error = asGitOpsError(err);
    }
    this.onRender?.('rendered');
    this.entries.set(request.key, entry);
    return { rendered: entry.rendered, error: entry.error };
  }
}
