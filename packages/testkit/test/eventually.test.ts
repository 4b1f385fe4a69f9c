import { isGitOpsError } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { eventually } from '../src/index.js';

async function failure(p: Promise<unknown>): Promise<Error & { code?: string; details?: unknown }> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected eventually to give up');
}

describe('eventually', () => {
  it('resolves with the first truthy answer of a value-returning check', async () => {
    let calls = 0;
    const value = await eventually(
      async () => {
        calls++;
        return calls >= 3 ? { calls } : undefined;
      },
      'the third call',
      { intervalMs: 1 },
    );
    expect(value).toEqual({ calls: 3 });
    expect(calls).toBe(3);
  });

  it('takes a synchronous boolean check as is', async () => {
    let ticks = 0;
    const done = await eventually(() => ++ticks > 2, 'two ticks', { intervalMs: 1 });
    expect(done).toBe(true);
    expect(ticks).toBe(3);
  });

  it('treats every falsy answer (false, 0, empty string, null) as not yet', async () => {
    const answers: unknown[] = [false, 0, '', null, undefined, 'ready'];
    let i = 0;
    const value = await eventually(() => answers[i++] as string | undefined, 'a non-empty answer', {
      intervalMs: 1,
    });
    expect(value).toBe('ready');
    expect(i).toBe(answers.length);
  });

  it('retries a check that throws, and resolves once it answers', async () => {
    let calls = 0;
    const value = await eventually(
      () => {
        calls++;
        if (calls < 3) throw new Error('not found yet');
        return 'found';
      },
      'the object',
      { intervalMs: 1 },
    );
    expect(value).toBe('found');
    expect(calls).toBe(3);
  });

  it('gives up with a TIMEOUT error that names what it waited for, and tries at least once', async () => {
    let calls = 0;
    const err = await failure(
      eventually(
        () => {
          calls++;
          return false;
        },
        'the moon',
        { timeoutMs: 0 },
      ),
    );
    expect(calls).toBe(1);
    expect(isGitOpsError(err, 'TIMEOUT')).toBe(true);
    expect(err.name).toBe('TimeoutError');
    expect(err.message).toBe('gave up waiting for the moon after 0 ms (1 attempt)');
    expect(err.details).toEqual({ what: 'the moon', timeoutMs: 0, attempts: 1 });
  });

  it('says what the check last saw, so a failing test shows where it was stuck', async () => {
    let calls = 0;
    const err = await failure(
      eventually(
        async (saw) => {
          const status = { sync: { status: 'OutOfSync' }, call: ++calls };
          saw(status);
          return status.sync.status === 'Synced' && status;
        },
        'Synced',
        { timeoutMs: 30, intervalMs: 1 },
      ),
    );
    expect(err.message).toMatch(/^gave up waiting for Synced after 30 ms \(\d+ attempts?\); last seen: /);
    expect(err.message).toContain(`{"sync":{"status":"OutOfSync"},"call":${calls}}`);
  });

  it('reports the last error of a throwing check, and keeps it as the cause', async () => {
    const notFound = new Error('configmaps "web" not found');
    const err = await failure(
      eventually(
        () => {
          throw notFound;
        },
        'the ConfigMap',
        { timeoutMs: 10, intervalMs: 1 },
      ),
    );
    expect(err.message).toMatch(/; last error: Error: configmaps "web" not found$/);
    expect(err.cause).toBe(notFound);
  });

  it('shows a last answer that says more than false (an empty string, null), never a plain false', async () => {
    const empty = await failure(eventually(() => '', 'output', { timeoutMs: 0 }));
    expect(empty.message).toMatch(/; last answer: ""$/);
    const nil = await failure(eventually(() => null, 'a value', { timeoutMs: 0 }));
    expect(nil.message).toMatch(/; last answer: null$/);
    const no = await failure(eventually(() => false, 'a yes', { timeoutMs: 0 }));
    expect(no.message).not.toContain('last');
  });

  it('shows values JSON cannot say (bigints, cycles), and cuts a huge one short', async () => {
    const cyclic: Record<string, unknown> = { n: 10n };
    cyclic.self = cyclic;
    const odd = await failure(
      eventually(
        (saw) => {
          saw(cyclic);
          return false;
        },
        'x',
        { timeoutMs: 0 },
      ),
    );
    expect(odd.message).toContain('10n');
    expect(odd.message).toContain('[Circular');

    const huge = await failure(
      eventually(
        (saw) => {
          saw('y'.repeat(10_000));
          return false;
        },
        'y',
        { timeoutMs: 0 },
      ),
    );
    expect(huge.message.length).toBeLessThan(2_200);
    expect(huge.message).toContain('… (10002 chars)');
  });

  it('does not wait past the deadline for a check that never answers', async () => {
    const err = await failure(
      eventually(() => new Promise<boolean>(() => {}), 'a hung check', { timeoutMs: 20 }),
    );
    expect(err.message).toBe(
      'gave up waiting for a hung check after 20 ms (1 attempt); the last check had not answered',
    );
  });
});
