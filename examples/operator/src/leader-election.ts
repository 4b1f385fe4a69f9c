import { performance } from 'node:perf_hooks';
import type { ClusterClient } from '@gitops-kit/cluster';
import {
  abortableSleep,
  isGitOpsError,
  type KubeObject,
  TimeoutError,
  ValidationError,
} from '@gitops-kit/core';

/** What a Lease says about its holder (`coordination.k8s.io/v1` LeaseSpec). */
export interface LeaderElectionRecord {
  /** Identity of the holder; empty when released. */
  holderIdentity: string;
  /** How long the lease lasts after each renewal. */
  leaseDurationSeconds: number;
  /** When the current holder acquired it (RFC 3339 micro time). */
  acquireTime?: string | undefined;
  /** When the holder last renewed it (RFC 3339 micro time). */
  renewTime?: string | undefined;
  /** How many times the lease changed hands. */
  leaseTransitions: number;
}

/** Callbacks of a {@link LeaderElector}. */
export interface LeaderCallbacks {
  /** This replica became leader; `signal` aborts when it stops leading. Run the controllers here. */
  onStartedLeading?: ((signal: AbortSignal) => void) | undefined;
  /** This replica stopped leading (lost the lease, or released it on shutdown). */
  onStoppedLeading?: (() => void) | undefined;
  /** The observed leader changed (including to this replica). */
  onNewLeader?: ((identity: string) => void) | undefined;
}

/** Options of a {@link LeaderElector}, with client-go's defaults and constraints. */
export interface LeaderElectionOptions {
  /** The client to read and write the Lease with. */
  client: ClusterClient;
  /** Namespace of the Lease. */
  namespace: string;
  /** Name of the Lease. */
  name: string;
  /** This replica's identity, unique among replicas (the Pod name, say). */
  identity: string;
  /** How long non-leaders wait after the last observed renewal before taking over. Default 15 s. */
  leaseDurationMs?: number | undefined;
  /** How long the leader keeps retrying a failed renewal before giving up leadership. Default 10 s. */
  renewDeadlineMs?: number | undefined;
  /** Interval between attempts to acquire or renew. Default 2 s. */
  retryPeriodMs?: number | undefined;
  /** Give the lease up when `run`'s signal aborts, so another replica takes over at once. Default true. */
  releaseOnCancel?: boolean | undefined;
  /** Leadership callbacks. */
  callbacks?: LeaderCallbacks | undefined;
}

// client-go's JitterFactor: retries wait retryPeriod · [1, 1.2).
const JITTER_FACTOR = 1.2;

/** An RFC 3339 time with microseconds, as Lease's MicroTime fields are serialised. */
export function microTime(date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`the Lease request took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function recordOf(lease: KubeObject): LeaderElectionRecord {
  const spec = (lease.spec ?? {}) as Record<string, unknown>;
  return {
    holderIdentity: typeof spec.holderIdentity === 'string' ? spec.holderIdentity : '',
    leaseDurationSeconds: typeof spec.leaseDurationSeconds === 'number' ? spec.leaseDurationSeconds : 0,
    acquireTime: typeof spec.acquireTime === 'string' ? spec.acquireTime : undefined,
    renewTime: typeof spec.renewTime === 'string' ? spec.renewTime : undefined,
    leaseTransitions: typeof spec.leaseTransitions === 'number' ? spec.leaseTransitions : 0,
  };
}

function sameRecord(a: LeaderElectionRecord, b: LeaderElectionRecord): boolean {
  return (
    a.holderIdentity === b.holderIdentity &&
    a.renewTime === b.renewTime &&
    a.acquireTime === b.acquireTime &&
    a.leaseTransitions === b.leaseTransitions &&
    a.leaseDurationSeconds === b.leaseDurationSeconds
  );
}

/**
 * Leader election on a `coordination.k8s.io/v1` Lease, as client-go's leaderelection: replicas race to
 * create or take over the Lease with optimistic concurrency (resourceVersion), the leader renews it
 * every retry period, and a replica that cannot renew within the renew deadline stops leading.
 * Expiry is judged by when this replica last saw the record change, on its own monotonic clock, so
 * clock skew between nodes does not matter.
 */
export class LeaderElector {
  private readonly client: ClusterClient;
  private readonly namespace: string;
  private readonly name: string;
  /** This replica's identity. */
  readonly identity: string;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly releaseOnCancel: boolean;
  private readonly callbacks: LeaderCallbacks;
  private observedRecord: LeaderElectionRecord | undefined;
  private observedResourceVersion: string | undefined;
  private observedTime = 0;
  private reportedLeader: string | undefined;
  private leading = false;

  constructor(options: LeaderElectionOptions) {
    this.client = options.client;
    this.namespace = options.namespace;
    this.name = options.name;
    this.identity = options.identity;
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    this.releaseOnCancel = options.releaseOnCancel ?? true;
    this.callbacks = options.callbacks ?? {};
    if (this.identity === '') throw new ValidationError('leader election needs a non-empty identity');
    if (this.leaseDurationMs <= this.renewDeadlineMs) {
      throw new ValidationError('leaseDuration must be greater than renewDeadline');
    }
    if (this.renewDeadlineMs <= JITTER_FACTOR * this.retryPeriodMs) {
      throw new ValidationError(`renewDeadline must be greater than retryPeriod × ${JITTER_FACTOR}`);
    }
    if (this.retryPeriodMs < 1) throw new ValidationError('retryPeriod must be positive');
  }

  /** True while this replica holds the lease. */
  isLeader(): boolean {
    return this.leading;
  }

  /** The identity of the last observed leader, if any. */
  getLeader(): string | undefined {
    const holder = this.observedRecord?.holderIdentity;
    return holder === '' ? undefined : holder;
  }

  /**
   * Campaigns for the lease until acquired, then leads (calling `onStartedLeading`) and renews until
   * leadership is lost or `signal` aborts, then releases the lease (with `releaseOnCancel`) and calls
   * `onStoppedLeading`. Resolves once this replica no longer leads; to campaign again, call again.
   */
  async run(signal: AbortSignal): Promise<void> {
    const acquired = await this.acquire(signal);
    if (!acquired) return;
    const leadership = new AbortController();
    this.leading = true;
    try {
      this.callbacks.onStartedLeading?.(leadership.signal);
      await this.renew(signal);
    } finally {
      this.leading = false;
      leadership.abort();
      if (signal.aborted && this.releaseOnCancel) await this.release().catch(() => undefined);
      this.callbacks.onStoppedLeading?.();
    }
  }

  private jittered(): number {
    return this.retryPeriodMs * (1 + Math.random() * (JITTER_FACTOR - 1));
  }

  private async acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew().catch(() => false)) return true;
      await abortableSleep(this.jittered(), signal);
    }
    return false;
  }

  private async renew(signal: AbortSignal): Promise<void> {
    let lastRenew = performance.now();
    while (!signal.aborted) {
      await abortableSleep(this.retryPeriodMs, signal);
      if (signal.aborted) return;
      // Retry within the renew deadline; past it, another replica may already consider the lease
      // expired, so this one must stop acting as leader.
      let renewed = false;
      while (!signal.aborted) {
        const left = this.renewDeadlineMs - (performance.now() - lastRenew);
        if (left <= 0) break;
        renewed = await withTimeout(this.tryAcquireOrRenew(), left).catch(() => false);
        if (renewed) break;
        await abortableSleep(Math.min(this.retryPeriodMs, Math.max(0, left)), signal);
      }
      if (signal.aborted) return;
      if (!renewed) return;
      lastRenew = performance.now();
    }
  }

  private observe(record: LeaderElectionRecord, resourceVersion: string | undefined): void {
    if (this.observedRecord === undefined || !sameRecord(this.observedRecord, record)) {
      this.observedRecord = record;
      this.observedTime = performance.now();
    }
    this.observedResourceVersion = resourceVersion;
    if (record.holderIdentity !== '' && record.holderIdentity !== this.reportedLeader) {
      this.reportedLeader = record.holderIdentity;
      this.callbacks.onNewLeader?.(record.holderIdentity);
    }
  }

  /** One attempt to take or renew the lease; true when this replica holds it afterwards. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = microTime();
    const desired: LeaderElectionRecord = {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      acquireTime: now,
      renewTime: now,
      leaseTransitions: 0,
    };
    let lease: KubeObject;
    try {
      lease = await this.client.get({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        namespace: this.namespace,
        name: this.name,
      });
    } catch (err) {
      if (!isGitOpsError(err, 'NOT_FOUND')) throw err;
      try {
        const created = await this.client.create({
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.name, namespace: this.namespace },
          spec: { ...desired },
        });
        this.observe(recordOf(created), created.metadata.resourceVersion);
        return true;
      } catch (createErr) {
        if (isGitOpsError(createErr, 'ALREADY_EXISTS')) return false;
        throw createErr;
      }
    }
    const current = recordOf(lease);
    this.observe(current, lease.metadata.resourceVersion);
    const heldByOther = current.holderIdentity !== '' && current.holderIdentity !== this.identity;
    const expired = this.observedTime + current.leaseDurationSeconds * 1000 <= performance.now();
    if (heldByOther && !expired) return false;
    if (current.holderIdentity === this.identity) {
      desired.acquireTime = current.acquireTime ?? now;
      desired.leaseTransitions = current.leaseTransitions;
    } else {
      desired.leaseTransitions = current.leaseTransitions + 1;
    }
    try {
      const updated = await this.client.update({
        ...lease,
        metadata: { ...lease.metadata, resourceVersion: this.observedResourceVersion },
        spec: { ...((lease.spec as object) ?? {}), ...desired },
      });
      this.observe(recordOf(updated), updated.metadata.resourceVersion);
      return true;
    } catch (err) {
      // Another replica wrote first: it holds the lease now; try again at the next period.
      if (isGitOpsError(err, 'CONFLICT')) return false;
      throw err;
    }
  }

  /** Gives the lease up if this replica holds it, so a standby takes over without waiting for expiry. */
  private async release(): Promise<void> {
    const lease = await this.client.get({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      namespace: this.namespace,
      name: this.name,
    });
    const current = recordOf(lease);
    if (current.holderIdentity !== this.identity) return;
    const now = microTime();
    await this.client.update({
      ...lease,
      spec: {
        ...((lease.spec as object) ?? {}),
        holderIdentity: '',
        leaseDurationSeconds: 1,
        acquireTime: now,
        renewTime: now,
        leaseTransitions: current.leaseTransitions,
      },
    });
  }
}
