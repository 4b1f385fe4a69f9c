import { abortableSleep } from '@gitops-kit/core';
import { SyncCancelledError } from './errors.js';

/**
 * The cancellation of one sync: whether its signal stopped any work, and where the sync was then.
 * Every wait of the runner (retry delays, polls) goes through {@link SyncCancellation.sleep} and
 * every operation starts with {@link SyncCancellation.check}, so an abort surfaces as a
 * {@link SyncCancelledError} wherever the runner is, and nowhere as an ordinary failure.
 */
export class SyncCancellation {
  private stage = 'the start of the sync';
  private stoppedDuring: string | undefined;

  constructor(private readonly signal: AbortSignal | undefined) {}

  /** True once the signal has aborted (work may still have finished). */
  get requested(): boolean {
    return this.signal?.aborted ?? false;
  }

  /** Where the sync was when the signal stopped work; undefined while no work was left undone. */
  get during(): string | undefined {
    return this.stoppedDuring;
  }

  /** Names what the sync does now, for the message of a cancelled result ("the dry run"). */
  enter(stage: string): void {
    this.stage = stage;
  }

  /** Records that work was left undone because of the signal. */
  stopped(): void {
    this.stoppedDuring ??= this.stage;
  }

  /** Throws a {@link SyncCancelledError} when the signal has aborted. */
  check(): void {
    if (this.requested) throw new SyncCancelledError(`the sync was cancelled during ${this.stage}`);
  }

  /** True when `err` is how a cancellation surfaced: ours, or the signal's own reason. */
  isCancellation(err: unknown): boolean {
    if (err instanceof SyncCancelledError) return true;
    return this.requested && err === this.signal?.reason;
  }

  /** Sleeps `ms`; a {@link SyncCancelledError} as soon as the signal aborts. */
  async sleep(ms: number): Promise<void> {
    this.check();
    await abortableSleep(ms, this.signal);
    this.check();
  }
}
