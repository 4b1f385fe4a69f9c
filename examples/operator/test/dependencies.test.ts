// The pure part of spec.dependsOn: which dependencies an Application waits for, cycles (found, never
// waited on), readiness, and the status fields and conditions they give.
import type { KubeObject } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { specFromFlags, type Values } from '../src/app-cli-flags.js';
import {
  DEPENDENCY_CYCLE,
  DEPENDENCY_NOT_READY,
  dependencyKeys,
  dependencyReadiness,
  dependencyState,
  MAX_DEPENDENCY_GRAPH,
  withDependencies,
} from '../src/index.js';

const READY = {
  observedGeneration: 1,
  sync: { status: 'Synced', revision: 'a'.repeat(40) },
  health: { status: 'Healthy' },
};

function app(
  key: string,
  deps: (string | { name: string; namespace?: string })[],
  status: object = READY,
): KubeObject {
  const [namespace, name] = key.split('/');
  return {
    apiVersion: 'gitops-kit.dev/v1alpha1',
    kind: 'Application',
    metadata: { namespace, name, generation: 1 },
    spec: { dependsOn: deps.map((d) => (typeof d === 'string' ? { name: d } : d)) },
    status,
  } as KubeObject;
}

function lookupOf(apps: KubeObject[]) {
  const byKey = new Map(apps.map((a) => [`${a.metadata.namespace}/${a.metadata.name}`, a]));
  let reads = 0;
  return {
    lookup: async (key: string) => {
      reads++;
      return byKey.get(key);
    },
    reads: () => reads,
  };
}

describe('dependencyKeys', () => {
  it('defaults the namespace to the app’s, keeps a duplicate once', () => {
    expect(dependencyKeys(app('ns/x', ['a', { name: 'b', namespace: 'other' }, 'a']))).toEqual([
      'ns/a',
      'other/b',
    ]);
    expect(dependencyKeys({ apiVersion: 'v1', kind: 'X', metadata: {}, spec: { dependsOn: 'no' } })).toEqual(
      [],
    );
  });
});

describe('dependencyReadiness', () => {
  it('is ready only when Synced and Healthy, of its current generation, with no sync running', () => {
    expect(dependencyReadiness(app('n/a', [])).ready).toBe(true);
    expect(dependencyReadiness(app('n/a', [])).message).toBe('Synced and Healthy at aaaaaaa');
    expect(dependencyReadiness(app('n/a', [], { ...READY, health: { status: 'Progressing' } }))).toEqual({
      ready: false,
      message: 'Synced and Progressing at aaaaaaa',
    });
    expect(dependencyReadiness(app('n/a', [], { ...READY, observedGeneration: 0 })).message).toBe(
      'its status is not yet of generation 1',
    );
    const running = { ...READY, operationState: { phase: 'Running', startedAt: '2024-01-01T00:00:00Z' } };
    expect(dependencyReadiness(app('n/a', [], running))).toEqual({
      ready: false,
      message: 'a sync is running',
    });
    expect(dependencyReadiness(app('n/a', [], {})).message).toBe('its status is not yet of generation 1');
  });
});

describe('dependencyState', () => {
  it('lists what is not ready and what is missing, in spec order', async () => {
    const { lookup } = lookupOf([
      app('n/ready', []),
      app('n/slow', [], { ...READY, sync: { status: 'OutOfSync' } }),
    ]);
    const state = await dependencyState('n/me', app('n/me', ['slow', 'ghost', 'ready']), lookup);
    expect(state.cycles).toEqual([]);
    expect(state.waitingFor).toEqual([
      { namespace: 'n', name: 'slow', reason: 'NotReady', message: 'OutOfSync and Healthy' },
      { namespace: 'n', name: 'ghost', reason: 'Missing', message: 'no such Application' },
    ]);
  });

  it('finds a cycle through the app, however long, and does not wait on it', async () => {
    const me = app('n/me', ['a', 'ok']);
    const { lookup, reads } = lookupOf([
      me,
      app('n/a', ['b'], { sync: { status: 'OutOfSync' } }),
      app('n/b', ['c']),
      app('n/c', ['me']),
      app('n/ok', ['b']),
    ]);
    const state = await dependencyState('n/me', me, lookup);
    expect(state.cycles).toEqual([
      ['n/me', 'n/a', 'n/b', 'n/c', 'n/me'],
      ['n/me', 'n/ok', 'n/b', 'n/c', 'n/me'],
    ]);
    expect(state.waitingFor).toEqual([]);
    // Each Application is read once per look.
    expect(reads()).toBe(4);
  });

  it('a self-dependency is a cycle; a cycle not through the app is not its concern', async () => {
    const self = app('n/self', ['self']);
    expect((await dependencyState('n/self', self, lookupOf([self]).lookup)).cycles).toEqual([
      ['n/self', 'n/self'],
    ]);
    const { lookup } = lookupOf([app('n/x', ['y'], { sync: { status: 'Unknown' } }), app('n/y', ['x'])]);
    const state = await dependencyState('n/me', app('n/me', ['x']), lookup);
    expect(state.cycles).toEqual([]);
    expect(state.waitingFor.map((w) => w.name)).toEqual(['x']);
  });

  it('reads at most MAX_DEPENDENCY_GRAPH Applications of a long chain', async () => {
    const chain = Array.from({ length: MAX_DEPENDENCY_GRAPH + 50 }, (_, i) => app(`n/c${i}`, [`c${i + 1}`]));
    const { lookup, reads } = lookupOf(chain);
    const state = await dependencyState('n/me', app('n/me', ['c0']), lookup);
    expect(state.cycles).toEqual([]);
    expect(reads()).toBeLessThanOrEqual(MAX_DEPENDENCY_GRAPH + 1);
  });
});

describe('withDependencies', () => {
  const now = '2024-01-01T00:00:00Z';
  it('sets waitingFor and the conditions, and removes them once they no longer hold', () => {
    const waiting = withDependencies(
      { conditions: [] },
      {
        waitingFor: [{ namespace: 'n', name: 'a', reason: 'Missing', message: 'no such Application' }],
        cycles: [['n/me', 'n/b', 'n/me']],
      },
      3,
      now,
    );
    expect(waiting.waitingFor).toHaveLength(1);
    expect(waiting.conditions).toEqual([
      {
        type: DEPENDENCY_NOT_READY,
        status: 'True',
        reason: 'Missing',
        message: 'automated sync waits for n/a (no such Application)',
        observedGeneration: 3,
        lastTransitionTime: now,
      },
      {
        type: DEPENDENCY_CYCLE,
        status: 'True',
        reason: 'Cycle',
        message: 'dependencies form a cycle, not waited on: n/me → n/b → n/me',
        observedGeneration: 3,
        lastTransitionTime: now,
      },
    ]);
    const cleared = withDependencies(waiting, { waitingFor: [], cycles: [] }, 3, now);
    expect(cleared.waitingFor).toBeUndefined();
    expect(cleared.conditions).toEqual([]);
    expect(withDependencies(waiting, undefined, 3, now).conditions).toEqual([]);
  });
});

describe('app create/set --depends-on', () => {
  const flags = (dependsOn: string[]) =>
    specFromFlags({ 'depends-on': dependsOn } as Values, { source: {}, destination: {} }) as {
      dependsOn?: unknown;
    };
  it('writes NAME and NAMESPACE/NAME entries; an empty value clears; anything else is refused', () => {
    expect(flags(['a', 'team/b']).dependsOn).toEqual([{ name: 'a' }, { namespace: 'team', name: 'b' }]);
    expect(
      specFromFlags({ 'depends-on': [''] } as Values, {
        source: {},
        destination: {},
        dependsOn: [{ name: 'a' }],
      }),
    ).not.toHaveProperty('dependsOn');
    expect(() => flags(['a/b/c'])).toThrow('--depends-on is NAME or NAMESPACE/NAME, not "a/b/c"');
    expect(() => flags(['/b'])).toThrow(/--depends-on is NAME/);
  });
});
