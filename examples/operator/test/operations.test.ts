import { NotFoundError } from '@gitops-kit/core';
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

const source = { repoURL: 'https://git.example.com/team/deploy.git', targetRevision: 'main', path: 'dev' };
const REV_A = 'a'.repeat(40);
const REV_B = 'b'.repeat(40);

function app(patch: Partial<Application> = {}): AutoSyncInput['app'] {
  return {
    metadata: { name: 'web', namespace: 'apps', generation: 2 },
    spec: {
      source,
      destination: { server: 'https://kubernetes.default.svc', namespace: 'web' },
      syncPolicy: { automated: { prune: false, selfHeal: false } },
    },
    ...patch,
  };
}

const outOfSync = {
  sync: { status: 'OutOfSync' as const },
  resources: [
    { group: 'apps', version: 'v1', kind: 'Deployment', name: 'web', status: 'OutOfSync' as const },
  ],
};

describe('planOperation', () => {
  const history = [
    {
      id: 0,
      revision: REV_A,
      deployedAt: '2026-11-26T10:00:00Z',
      source: { ...source, targetRevision: 'v1' },
    },
    { id: 1, revision: REV_B, deployedAt: '2026-11-26T11:00:00Z', source },
  ];

  it('plans a sync with its options and a refresh', () => {
    expect(planOperation({ sync: { revision: 'v2', prune: true } }, undefined)).toEqual({
      kind: 'sync',
      revision: 'v2',
      prune: true,
      dryRun: false,
      syncOptions: [],
    });
    expect(planOperation({ refresh: 'hard' }, undefined)).toEqual({ kind: 'refresh', hard: true });
  });

  it('plans a rollback from the history entry, and names the known ids when the id is unknown', () => {
    expect(planOperation({ rollback: { id: 0 } }, { history })).toMatchObject({
      kind: 'rollback',
      revision: REV_A,
      source: { targetRevision: 'v1' },
    });
    expect(() => planOperation({ rollback: { id: 7 } }, { history })).toThrow(NotFoundError);
    expect(() => planOperation({ rollback: { id: 7 } }, { history })).toThrow(/known ids: 0, 1/);
  });
});

describe('appendHistory', () => {
  it('gives the next id, never reusing one, and keeps the newest entries', () => {
    let history = appendHistory(
      undefined,
      { revision: REV_A, deployedAt: '2026-11-26T10:00:00Z', source },
      2,
    );
    history = appendHistory(history, { revision: REV_B, deployedAt: '2026-11-26T11:00:00Z', source }, 2);
    history = appendHistory(history, { revision: REV_A, deployedAt: '2026-11-26T12:00:00Z', source }, 2);
    expect(history.map((h) => h.id)).toEqual([1, 2]);
    expect(history.map((h) => h.revision)).toEqual([REV_B, REV_A]);
  });
});

describe('decideAutoSync', () => {
  const base = { comparison: outOfSync, revision: REV_B, desiredCount: 3 };

  it('syncs an OutOfSync Application with automated sync', () => {
    expect(decideAutoSync({ ...base, app: app() })).toEqual({ sync: true, prune: false, selfHeal: false });
  });

  it('does not without automated sync, with an operation pending, or when Synced', () => {
    const manual = app();
    manual.spec = { ...manual.spec, syncPolicy: {} };
    expect(decideAutoSync({ ...base, app: manual }).sync).toBe(false);
    expect(decideAutoSync({ ...base, app: app({ operation: { sync: {} } }) }).sync).toBe(false);
    expect(decideAutoSync({ ...base, app: app(), comparison: { sync: { status: 'Synced' } } }).sync).toBe(
      false,
    );
  });

  it('does not when only resources to prune differ and prune is off', () => {
    const comparison = {
      sync: { status: 'OutOfSync' as const },
      resources: [
        {
          group: '',
          version: 'v1',
          kind: 'ConfigMap',
          name: 'old',
          status: 'OutOfSync' as const,
          requiresPruning: true,
        },
      ],
    };
    expect(decideAutoSync({ ...base, app: app(), comparison })).toMatchObject({
      sync: false,
      reason: /prune/,
    });
    const pruning = app();
    pruning.spec = { ...pruning.spec, syncPolicy: { automated: { prune: true } } };
    expect(decideAutoSync({ ...base, app: pruning, comparison })).toMatchObject({ sync: true, prune: true });
  });

  it('does not wipe everything out unless allowEmpty', () => {
    expect(decideAutoSync({ ...base, app: app(), desiredCount: 0 })).toMatchObject({
      sync: false,
      reason: /allowEmpty/,
    });
    const empty = app();
    empty.spec = { ...empty.spec, syncPolicy: { automated: { allowEmpty: true } } };
    expect(decideAutoSync({ ...base, app: empty, desiredCount: 0 }).sync).toBe(true);
  });

  it('re-syncs a revision already synced only to self-heal, and never retries a failed one', () => {
    const done = (phase: 'Succeeded' | 'Failed') => ({
      operationState: {
        phase,
        revision: REV_B,
        startedAt: '2026-11-26T10:00:00Z',
        message: 'one or more objects failed',
      },
    });
    expect(decideAutoSync({ ...base, app: app({ status: done('Succeeded') }) })).toMatchObject({
      sync: false,
      reason: /selfHeal is off/,
    });
    const healing = app({ status: done('Succeeded') });
    healing.spec = { ...healing.spec, syncPolicy: { automated: { selfHeal: true } } };
    expect(decideAutoSync({ ...base, app: healing })).toMatchObject({ sync: true, selfHeal: true });
    const failed = app({ status: done('Failed') });
    failed.spec = { ...failed.spec, syncPolicy: { automated: { selfHeal: true } } };
    expect(decideAutoSync({ ...base, app: failed })).toMatchObject({ sync: false, failedAttempt: true });
    // A new revision is synced even after a failure.
    expect(decideAutoSync({ ...base, app: failed, revision: REV_A }).sync).toBe(true);
  });

  it('is disabled by a rollback until the spec changes', () => {
    const condition = autoSyncDisabledCondition(0, REV_A, 2);
    expect(condition.message).toContain('history id 0');
    const rolledBack = app({ status: { conditions: [condition] } });
    expect(decideAutoSync({ ...base, app: rolledBack })).toMatchObject({ sync: false, reason: /rollback/ });
    const edited = { ...rolledBack, metadata: { ...rolledBack.metadata, generation: 3 } };
    expect(decideAutoSync({ ...base, app: edited }).sync).toBe(true);
    expect(condition.type).toBe(AUTO_SYNC_DISABLED);
  });
});

describe('an unfinished operation (the operator stopped or died during a sync)', () => {
  const automated = { sync: { prune: true }, initiatedBy: { automated: true } };
  const manual = { sync: { prune: false }, initiatedBy: { username: 'ana' } };
  const running = (operation: typeof automated | typeof manual) => ({
    operation,
    phase: 'Running' as const,
    startedAt: '2026-01-01T00:00:00Z',
    revision: `main@sha1:${REV_A}`,
  });

  it('is carried on: an automated one from its state, at the revision it started with', () => {
    expect(operationToCarryOut({ status: { operationState: running(automated) } })).toEqual({
      operation: automated,
      revision: `main@sha1:${REV_A}`,
    });
  });

  it('a manual one stays in operation until it finishes, and resumes at its revision', () => {
    expect(operationToCarryOut({ operation: manual, status: { operationState: running(manual) } })).toEqual({
      operation: manual,
      revision: `main@sha1:${REV_A}`,
    });
    // Another operation set meanwhile: that one, at its own revision.
    const other = { sync: { prune: true }, initiatedBy: { username: 'bo' } };
    expect(operationToCarryOut({ operation: other, status: { operationState: running(manual) } })).toEqual({
      operation: other,
    });
  });

  it('a finished operation is not carried on', () => {
    for (const phase of ['Succeeded', 'Failed', 'Error', 'Terminated'] as const)
      expect(
        operationToCarryOut({ status: { operationState: { ...running(automated), phase } } }),
        phase,
      ).toBeUndefined();
    expect(operationToCarryOut({ status: {} })).toBeUndefined();
  });

  it('the Running state written before a sync keeps the retry count of the same revision', () => {
    const first = startedOperationState({
      operation: automated,
      revision: `main@sha1:${REV_A}`,
      startedAt: '2026-01-01T00:01:00Z',
      previous: undefined,
    });
    expect(first).toEqual({
      operation: automated,
      phase: 'Running',
      message: 'syncing to aaaaaaa',
      startedAt: '2026-01-01T00:01:00Z',
      revision: `main@sha1:${REV_A}`,
    });
    const retried = startedOperationState({
      operation: automated,
      revision: `main@sha1:${REV_A}`,
      startedAt: '2026-01-01T00:02:00Z',
      previous: { ...running(automated), retryCount: 2 },
      retryLimit: 5,
    });
    expect(retried).toMatchObject({
      retryCount: 2,
      message: 'retrying (attempt 2 of 5): syncing to aaaaaaa',
    });
    const resumed = startedOperationState({
      operation: automated,
      revision: `main@sha1:${REV_A}`,
      startedAt: '2026-01-01T00:02:00Z',
      previous: running(automated),
    });
    expect(resumed.message).toBe('resuming: syncing to aaaaaaa (the last attempt did not finish)');
    const otherRevision = startedOperationState({
      operation: automated,
      revision: `main@sha1:${REV_B}`,
      startedAt: '2026-01-01T00:02:00Z',
      previous: { ...running(automated), retryCount: 2 },
    });
    expect(otherRevision.retryCount).toBeUndefined();
  });
});
