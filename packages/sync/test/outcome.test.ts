import { describe, expect, it } from 'vitest';
import type { ResourceResult, ResourceSyncStatus } from '../src/events.js';
import { syncOutcome } from '../src/outcome.js';

function task(name: string, status: ResourceSyncStatus, operation: ResourceResult['operation'] = 'none') {
  return {
    result: {
      id: name,
      key: { group: '', version: 'v1', kind: 'ConfigMap', namespace: 'ns', name },
      phase: 'Sync' as const,
      wave: 0,
      action: 'apply' as const,
      status,
      operation,
      message: 'planned',
    },
  };
}

describe('syncOutcome', () => {
  it('is Succeeded only when every task is done', () => {
    const done = syncOutcome({
      tasks: [task('a', 'Synced', 'configured'), task('b', 'Pruned', 'deleted'), task('c', 'Skipped')],
      dryRun: false,
    });
    expect(done).toMatchObject({
      phase: 'Succeeded',
      message: 'successfully synced (2 objects written or deleted)',
    });
  });

  it('never Succeeded with a task not run: a runner bug is reported as Failed', () => {
    const out = syncOutcome({ tasks: [task('a', 'Synced'), task('b', 'NotRun')], dryRun: false });
    expect(out.phase).toBe('Failed');
    expect(out.message).toMatch(/^internal error: 1 task did not finish .*\(first: b\)$/);
    expect(out.resources[1]?.message).toBe('not run: the sync stopped before this task');
  });

  it('is Terminated when cancelled, even after a failure, and says both', () => {
    const out = syncOutcome({
      tasks: [task('a', 'Failed'), task('b', 'NotRun'), { ...task('c', 'NotRun'), interrupted: true }],
      failure: 'ConfigMap/ns/a: refused',
      cancelledDuring: 'the dry run',
      dryRun: false,
    });
    expect(out.phase).toBe('Terminated');
    expect(out.message).toBe(
      'the sync was cancelled during the dry run: 2 of 3 tasks not run; nothing was written; it had failed before: ConfigMap/ns/a: refused',
    );
    expect(out.resources[1]?.message).toBe(
      'not run: the sync was cancelled during the dry run before this task',
    );
    // An interrupted task keeps what it says about its progress.
    expect(out.resources[2]?.message).toBe('planned');
  });

  it('is Failed with the first failure when not cancelled', () => {
    const out = syncOutcome({
      tasks: [task('a', 'Failed'), task('b', 'NotRun')],
      failure: 'boom',
      dryRun: false,
    });
    expect(out).toMatchObject({ phase: 'Failed', message: 'boom' });
  });

  it('counts in words: one task, several tasks, one object written', () => {
    const one = syncOutcome({ tasks: [task('a', 'NotRun')], cancelledDuring: 'the waves', dryRun: false });
    expect(one.message).toBe(
      'the sync was cancelled during the waves: 1 of 1 task not run; nothing was written',
    );
    const written = syncOutcome({
      tasks: [task('a', 'Synced', 'created'), task('b', 'NotRun')],
      cancelledDuring: 'the waves',
      dryRun: false,
    });
    expect(written.message).toBe(
      'the sync was cancelled during the waves: 1 of 2 tasks not run; 1 object was written or deleted before it stopped',
    );
    const undone = syncOutcome({ tasks: [task('a', 'NotRun'), task('b', 'Failed')], dryRun: false });
    expect(undone.message).toMatch(/^internal error: 2 tasks did not finish .*\(first: a\)$/);
  });

  it('a dry run says that nothing was written, cancelled or not', () => {
    const cancelled = syncOutcome({
      tasks: [task('a', 'Synced', 'created'), task('b', 'NotRun')],
      cancelledDuring: 'the dry run',
      dryRun: true,
    });
    expect(cancelled.message).toBe(
      'the sync was cancelled during the dry run: 1 of 2 tasks not run; nothing was written (dry run)',
    );
    const done = syncOutcome({ tasks: [task('a', 'Synced', 'created')], dryRun: true });
    expect(done).toMatchObject({ phase: 'Succeeded', message: 'dry run succeeded: nothing was written' });
  });
});
