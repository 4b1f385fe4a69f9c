import { isGitOpsError } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import {
  type Application,
  AUTO_SYNC_DISABLED,
  type AutoSyncInput,
  appendHistory,
  autoSyncDisabledCondition,
  decideAutoSync,
  operationToCarryOut,
  planOperation,
  startedOperationState,
} from '../src/index.js';
import { autoSyncConditions } from '../src/operations.js';

// The reconcile's decisions one rule at a time: what an operation asks for, when automated sync
// runs (Argo CD's rules) and what it says when it does not, the history and the rollback condition.
const source = { repoURL: 'https://git.example.com/team/deploy.git', targetRevision: 'main', path: 'dev' };
const REV = `main@sha1:${'c'.repeat(40)}`;

function app(patch: Partial<Application> = {}, automated: object | null = {}): AutoSyncInput['app'] {
  return {
    metadata: { name: 'web', namespace: 'apps', generation: 3 },
    spec: {
      source,
      destination: { server: 'https://kubernetes.default.svc', namespace: 'web' },
      ...(automated ? { syncPolicy: { automated } } : {}),
    },
    ...patch,
  } as AutoSyncInput['app'];
}

const resource = (name: string, status: 'OutOfSync' | 'Synced', requiresPruning = false) => ({
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  name,
  status,
  ...(requiresPruning ? { requiresPruning } : {}),
});
const outOfSync = (...resources: ReturnType<typeof resource>[]) => ({
  sync: { status: 'OutOfSync' as const },
  resources,
});
const decide = (a: AutoSyncInput['app'], comparison: AutoSyncInput['comparison'], desiredCount = 1) =>
  decideAutoSync({ app: a, comparison, revision: REV, desiredCount });

describe('planOperation: what an operation asks for', () => {
  it('a sync and a rollback default to no prune and no dry run', () => {
    expect(planOperation({ sync: {} }, undefined)).toEqual({
      kind: 'sync',
      revision: undefined,
      prune: false,
      dryRun: false,
      syncOptions: [],
    });
    const history = [{ id: 4, revision: REV, source, deployedAt: '2026-01-01T00:00:00Z' }];
    expect(planOperation({ rollback: { id: 4 } }, { history } as never)).toMatchObject({
      kind: 'rollback',
      prune: false,
      dryRun: false,
    });
  });

  it('a rollback to an unknown id names the known ids, or none, and the field', () => {
    const history = [
      { id: 1, revision: REV, source, deployedAt: '2026-01-01T00:00:00Z' },
      { id: 2, revision: REV, source, deployedAt: '2026-01-01T00:00:00Z' },
    ];
    for (const [status, known] of [
      [{ history }, '1, 2'],
      [{ history: [] }, 'none'],
      [undefined, 'none'],
    ] as const) {
      let error: unknown;
      try {
        planOperation({ rollback: { id: 9 } }, status as never);
      } catch (e) {
        error = e;
      }
      expect(isGitOpsError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'NOT_FOUND', path: 'operation.rollback.id' });
      expect((error as Error).message).toContain(`history id 9 does not exist; known ids: ${known}`);
    }
  });

  it('a refresh is hard only when it says hard; an empty operation is refused with its field', () => {
    expect(planOperation({ refresh: 'hard' }, undefined)).toEqual({ kind: 'refresh', hard: true });
    expect(planOperation({ refresh: 'normal' }, undefined)).toEqual({ kind: 'refresh', hard: false });
    expect(() => planOperation({}, undefined)).toThrow(
      expect.objectContaining({
        code: 'VALIDATION_ERROR',
        path: 'operation',
        message: expect.stringContaining('an operation sets exactly one of sync, rollback and refresh'),
      }),
    );
  });
});

describe('operationToCarryOut: only a Running state is carried on', () => {
  const operation = { sync: { prune: true } };
  it('a finished state is not carried on, and its revision is not resumed', () => {
    for (const phase of ['Succeeded', 'Failed', 'Error'] as const) {
      const status = { operationState: { operation, phase, revision: REV } } as never;
      expect(operationToCarryOut({ status })).toBeUndefined();
      expect(operationToCarryOut({ operation, status })).toEqual({ operation });
    }
  });
  it('a Running state without a revision resumes the operation alone', () => {
    const status = { operationState: { operation, phase: 'Running' } } as never;
    expect(operationToCarryOut({ status })).toEqual({ operation });
  });
});

describe('startedOperationState: the message of a retried sync', () => {
  const previous = { operation: { sync: {} }, phase: 'Running', revision: REV, retryCount: 2 } as never;
  it('names the attempt and the limit when there is one', () => {
    const base = { operation: { sync: {} }, revision: REV, startedAt: 'now', previous };
    expect(startedOperationState({ ...base, retryLimit: 5 }).message).toBe(
      'retrying (attempt 2 of 5): syncing to ccccccc',
    );
    expect(startedOperationState(base).message).toBe('retrying (attempt 2): syncing to ccccccc');
  });
});

describe('appendHistory: the limit', () => {
  const entry = { revision: REV, source, deployedAt: '2026-01-01T00:00:00Z' };
  it('keeps none at a limit of 0 or below, the newest at 1', () => {
    const history = [{ ...entry, id: 0 }];
    expect(appendHistory(history, entry, 0)).toEqual([]);
    expect(appendHistory(history, entry, -1)).toEqual([]);
    expect(appendHistory(history, entry, 1)).toEqual([{ ...entry, id: 1 }]);
  });
});

describe('autoSyncDisabledCondition', () => {
  it('says Rollback, the id and the short revision, with the generation when known', () => {
    expect(autoSyncDisabledCondition(3, REV, 7)).toEqual({
      type: AUTO_SYNC_DISABLED,
      status: 'True',
      reason: 'Rollback',
      message:
        'automated sync is disabled after a rollback to history id 3 (ccccccc); change the spec to enable it again',
      observedGeneration: 7,
    });
    const c = autoSyncDisabledCondition(3, 'refs/heads/a-very-long-branch-name', undefined);
    expect(c).not.toHaveProperty('observedGeneration');
    expect(c.message).toContain('(refs/heads/a)');
    // A full commit id anywhere but at the end is not shortened to seven characters.
    expect(autoSyncDisabledCondition(1, `${'d'.repeat(40)}x`, 1).message).toContain(`(${'d'.repeat(12)})`);
  });
});

describe('decideAutoSync: each reason not to sync', () => {
  const change = outOfSync(resource('a', 'OutOfSync'));
  it('says why, in words a person reads in the status', () => {
    expect(decide(app({}, null), change)).toEqual({
      sync: false,
      reason: 'automated sync is not enabled',
    });
    expect(decide(app({ operation: { sync: {} } }), change)).toEqual({
      sync: false,
      reason: 'an operation is pending',
    });
    expect(
      decide(
        app({ metadata: { name: 'web', generation: 3, deletionTimestamp: '2026-01-01T00:00:00Z' } }),
        change,
      ),
    ).toEqual({ sync: false, reason: 'the Application is being deleted' });
    expect(decide(app(), { sync: { status: 'Synced' }, resources: [] })).toEqual({
      sync: false,
      reason: 'the Application is Synced',
    });
    expect(decide(app(), {})).toEqual({ sync: false, reason: 'the Application is Unknown' });
    expect(decide(app(), change, 0)).toEqual({
      sync: false,
      reason: 'the source renders no resources and allowEmpty is off',
    });
  });

  it('a rollback disables it for the generation it saw only; without a message it says so', () => {
    const condition = (observedGeneration?: number, message?: string) => ({
      status: {
        conditions: [
          {
            type: AUTO_SYNC_DISABLED,
            status: 'True',
            ...(message ? { message } : {}),
            ...(observedGeneration ? { observedGeneration } : {}),
          },
        ],
      },
    });
    expect(decide(app(condition(3) as never), change)).toEqual({
      sync: false,
      reason: 'automated sync is disabled',
    });
    expect(decide(app(condition(undefined, 'off') as never), change)).toEqual({ sync: false, reason: 'off' });
    expect(decide(app(condition(2) as never), change)).toEqual({ sync: true, prune: false, selfHeal: false });
  });

  it('prune-only differences hold it back only when every difference is a prune and prune is off', () => {
    const prunes = outOfSync(resource('old', 'OutOfSync', true), resource('same', 'Synced'));
    expect(decide(app(), prunes)).toEqual({
      sync: false,
      reason: 'only resources to prune differ, and automated prune is off',
    });
    const mixed = outOfSync(resource('old', 'OutOfSync', true), resource('new', 'OutOfSync'));
    expect(decide(app(), mixed)).toEqual({ sync: true, prune: false, selfHeal: false });
    expect(decide(app({}, { prune: true }), prunes)).toEqual({ sync: true, prune: true, selfHeal: false });
    // OutOfSync with no resource listed (a render error's comparison, say) is not prune-only.
    expect(decide(app(), { sync: { status: 'OutOfSync' } })).toEqual({
      sync: true,
      prune: false,
      selfHeal: false,
    });
    expect(decide(app({}, { selfHeal: true }), change)).toEqual({ sync: true, prune: false, selfHeal: true });
  });

  it('a revision whose automated sync failed is not tried again; one that succeeded only heals with selfHeal', () => {
    const state = (phase: string, message?: string) =>
      app({
        status: {
          operationState: { operation: { sync: {} }, phase, revision: REV, ...(message ? { message } : {}) },
        } as never,
      });
    expect(decide(state('Failed', 'boom'), change)).toEqual({
      sync: false,
      reason: 'the automated sync to ccccccc failed: boom',
      failedAttempt: true,
    });
    expect(decide(state('Error'), change)).toMatchObject({
      reason: 'the automated sync to ccccccc failed: Error',
    });
    expect(decide(state('Succeeded'), change)).toEqual({
      sync: false,
      reason: 'already synced to ccccccc; selfHeal is off',
    });
    // A sync still Running at this revision is carried on elsewhere; auto-sync does not hold it back.
    expect(decide(state('Running'), change)).toEqual({ sync: true, prune: false, selfHeal: false });
  });
});

describe('autoSyncConditions: the rollback condition after a reconcile', () => {
  const disabled = { ...autoSyncDisabledCondition(1, REV, 3), lastTransitionTime: 'then' };
  const rollback = { dryRun: false, rollback: { id: 1, revision: REV } };
  const base = { now: '2026-01-01T00:00:00Z', generation: 3 };
  it('a rollback that succeeded sets it; a dry run or a failed one does not', () => {
    const ok = { operationState: { phase: 'Succeeded' } } as never;
    const set = autoSyncConditions({ ...base, status: ok, previous: {} as never, syncRequest: rollback });
    expect(set?.find((c) => c.type === AUTO_SYNC_DISABLED)).toMatchObject({ observedGeneration: 3 });
    const dry = autoSyncConditions({
      ...base,
      status: ok,
      previous: {} as never,
      syncRequest: { ...rollback, dryRun: true },
    });
    expect(dry?.some((c) => c.type === AUTO_SYNC_DISABLED) ?? false).toBe(false);
    const failed = { operationState: { phase: 'Failed' } } as never;
    const notSet = autoSyncConditions({
      ...base,
      status: failed,
      previous: {} as never,
      syncRequest: rollback,
    });
    expect(notSet?.some((c) => c.type === AUTO_SYNC_DISABLED) ?? false).toBe(false);
  });
  it('stays while the generation is the one it saw, and goes once the spec changed', () => {
    const status = { conditions: [disabled] } as never;
    const previous = { conditions: [disabled] } as never;
    expect(autoSyncConditions({ ...base, status, previous, syncRequest: undefined })).toEqual([disabled]);
    expect(
      autoSyncConditions({ ...base, generation: 4, status, previous, syncRequest: undefined })?.some(
        (c) => c.type === AUTO_SYNC_DISABLED,
      ) ?? false,
    ).toBe(false);
  });
});
