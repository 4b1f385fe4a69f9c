import { countOf } from '@gitops-kit/core';
import { startTestCluster, type TestCluster } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ResourceResult } from '../src/events.js';
import { syncOutcome } from '../src/outcome.js';
import { quickstartApp, syncApp } from './helpers.js';

// Events say what changed, and messages count in words that agree with the count.

vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 });

let tc: TestCluster;
beforeAll(async () => {
  tc = await startTestCluster();
});
afterAll(async () => {
  await tc?.stop();
});

describe('health-changed', () => {
  it('fires for a change only: a resync of a healthy app reports none', async () => {
    const ns = 'health-events';
    await tc.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const first = await syncApp(
      tc.client,
      quickstartApp({ namespace: ns }),
      { app: 'he' },
      { wait: true, timeoutMs: 20_000 },
    );
    expect(first.result.health).toBe('Healthy');
    // The new Deployment went from nothing to Progressing (or straight to Healthy): that is a change.
    const firstChanges = first.events.filter((e) => e.type === 'health-changed');
    expect(firstChanges.some((e) => e.type === 'health-changed' && e.key.kind === 'Deployment')).toBe(true);
    const second = await syncApp(
      tc.client,
      quickstartApp({ namespace: ns }),
      { app: 'he' },
      { wait: true, timeoutMs: 20_000 },
    );
    expect(second.result.phase).toBe('Succeeded');
    expect(second.events.filter((e) => e.type === 'health-changed')).toEqual([]);
    // The results still carry the health the wait saw.
    expect(second.result.resources.find((r) => r.key.kind === 'Deployment')?.health?.status).toBe('Healthy');
  });
});

describe('messages count in agreement', () => {
  const done = (name: string): { result: ResourceResult } => ({
    result: {
      id: name,
      key: { group: '', version: 'v1', kind: 'ConfigMap', namespace: 'ns', name },
      phase: 'Sync',
      wave: 0,
      action: 'apply',
      status: 'Synced',
      operation: 'configured',
      message: 'configured',
    },
  });

  it('1 object, 2 objects', () => {
    expect(syncOutcome({ tasks: [done('a')], dryRun: false }).message).toBe(
      'successfully synced (1 object written or deleted)',
    );
    expect(syncOutcome({ tasks: [done('a'), done('b')], dryRun: false }).message).toBe(
      'successfully synced (2 objects written or deleted)',
    );
    expect(countOf(0, 'entry', 'entries')).toBe('0 entries');
  });
});
