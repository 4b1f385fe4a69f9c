import { isGitOpsError, type KubeObject } from '@gitops-kit/core';
import type { ApplicationStatus } from './application-schema.js';
import type { ReconcileContext } from './operator.js';
import { writeApplicationStatus } from './status-writer.js';

/** The status writes of one reconcile: the Application as last written, the versions they replaced. */
export interface StatusWrites {
  /** The Application as last written (or as read, before any write). */
  raw: KubeObject;
  /** Versions of the Application this reconcile's own status writes replaced. */
  ownVersions: Set<string>;
  /** The Running state is in the cluster: the final status must replace it, whatever it says. */
  runningWritten: boolean;
}

/** An Application this operator wrote, and the versions of it that write superseded. */
interface Written {
  superseded: Set<string>;
  object: KubeObject;
}

/**
 * The operator's own status writes, remembered per Application: the informer's cache may not have
 * our last write yet when the next reconcile starts (a live change queues the app at once), so the
 * object we wrote replaces a cached one it superseded.
 */
export class OwnStatusWrites {
  private readonly written = new Map<string, Written>();

  /**
   * The writes of a reconcile, starting from the Application to reconcile: the cached one, or our
   * own last write when the cache is behind it; undefined when the Application is gone. They carry
   * the versions our last write superseded.
   */
  begin(ctx: ReconcileContext): StatusWrites | undefined {
    const mine = this.written.get(ctx.key);
    const ownVersions = new Set(mine?.superseded ?? []);
    let raw = ctx.app;
    if (raw && mine?.superseded.has(raw.metadata.resourceVersion ?? '')) raw = mine.object;
    else this.written.delete(ctx.key);
    return raw ? { raw, ownVersions, runningWritten: false } : undefined;
  }

  /** Forgets what was written for `key`. */
  forget(key: string): void {
    this.written.delete(key);
  }

  /** Writes the Running operation state; undefined when the Application is gone. */
  async writeRunning(
    ctx: ReconcileContext,
    writes: StatusWrites,
    status: ApplicationStatus,
  ): Promise<KubeObject | undefined> {
    try {
      const object = await writeApplicationStatus(ctx.client, writes.raw, status);
      writes.ownVersions.add(writes.raw.metadata.resourceVersion ?? '');
      writes.ownVersions.add(object.metadata.resourceVersion ?? '');
      writes.raw = object;
      writes.runningWritten = true;
      this.written.set(ctx.key, { superseded: new Set(writes.ownVersions), object });
      return object;
    } catch (err) {
      if (isGitOpsError(err, 'NOT_FOUND')) return undefined;
      throw err;
    }
  }

  /** Writes the status when it changed (the clock aside), or when anything else was written. */
  async writeStatus(
    ctx: ReconcileContext,
    writes: StatusWrites,
    current: KubeObject,
    status: ApplicationStatus,
    previous: ApplicationStatus,
  ): Promise<void> {
    const withoutClock = (s: ApplicationStatus) => ({ ...s, reconciledAt: undefined });
    const { raw } = writes;
    if (current === raw && !writes.runningWritten && sameJson(withoutClock(status), withoutClock(previous)))
      return;
    try {
      const superseded = new Set([
        raw.metadata.resourceVersion ?? '',
        current.metadata.resourceVersion ?? '',
      ]);
      for (const v of writes.ownVersions) superseded.add(v);
      const object = await writeApplicationStatus(ctx.client, current, status);
      this.written.set(ctx.key, { superseded, object });
    } catch (err) {
      if (!isGitOpsError(err, 'NOT_FOUND')) throw err;
    }
  }
}

/**
 * True when `a` and `b` serialize to the same JSON, without serializing them: a key whose value is
 * undefined counts as absent, an undefined array item as null (as JSON.stringify writes them).
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  // Loops rather than keys arrays and closures: this runs on every reconcile's status.
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i] ?? null, b[i] ?? null)) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let defined = 0;
  for (const k in ao) {
    if (!Object.hasOwn(ao, k) || ao[k] === undefined) continue;
    defined++;
    if (bo[k] === undefined || !sameJson(ao[k], bo[k])) return false;
  }
  for (const k in bo) if (Object.hasOwn(bo, k) && bo[k] !== undefined) defined--;
  return defined === 0;
}
