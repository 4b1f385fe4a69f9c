import type { KubeObject } from '@gitops-kit/core';
import { startTestCluster, type TestCluster } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { syncApp } from './helpers.js';

// A real HTTP server on a machine shared with other work: generous limits, no timing assertions.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 });

let tc: TestCluster;
beforeAll(async () => {
  tc = await startTestCluster({
    controllers: false,
    tokens: { 'team-token': { user: 'team', namespaces: ['team-a'] } },
  });
  await tc.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
});
afterAll(async () => {
  await tc?.stop();
});

describe('credentials confined to one namespace', () => {
  it('still checks the owner of every desired object before writing it', async () => {
    const cm = (name: string, value: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: 'team-a' },
      data: { value },
    });
    await syncApp(tc.client, [cm('shared', 'other')], { app: 'other' });
    const team = await tc.clientFor('team-token');
    // The team cannot list cluster-wide: live objects are read one by one instead.
    const { result } = await syncApp(team, [cm('shared', 'mine'), cm('fresh', 'mine')], { app: 'team' });
    expect(result.phase).toBe('Succeeded');
    expect(result.resources.map((r) => [r.key.name, r.status])).toEqual([
      ['fresh', 'Synced'],
      ['shared', 'Skipped'],
    ]);
    const shared = await tc.client.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'team-a',
      name: 'shared',
    });
    expect(shared.data).toEqual({ value: 'other' });

    // Listing in its namespace, the team can prune its own objects, and still not the other app's.
    const pruned = await syncApp(
      team,
      [],
      { app: 'team', allowEmpty: true, namespaces: ['team-a'] },
      { prune: true },
    );
    expect(pruned.result.resources.map((r) => [r.key.name, r.status])).toEqual([['fresh', 'Pruned']]);
    await expect(
      tc.client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'team-a', name: 'shared' }),
    ).resolves.toBeDefined();
  });
});
