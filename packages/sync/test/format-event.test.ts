import { startTestCluster } from '@gitops-kit/testkit';
import { describe, expect, it } from 'vitest';
import { formatSyncEvent, kubectlName, planFromCluster, runSync } from '../src/index.js';

describe('formatSyncEvent', () => {
  it('names objects as kubectl does', () => {
    expect(
      kubectlName({ group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'a', name: 'web' }),
    ).toBe('deployment.apps/web');
    expect(kubectlName({ group: '', version: 'v1', kind: 'ConfigMap', namespace: 'a', name: 'c' })).toBe(
      'configmap/c',
    );
  });

  it('prints a real sync as kubectl apply does: created, then unchanged, then configured and pruned', async () => {
    const tc = await startTestCluster();
    try {
      const cm = (value: string, name = 'settings') => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace: 'default' },
        data: { value },
      });
      const lines = async (objects: ReturnType<typeof cm>[], prune = false) => {
        const plan = await planFromCluster(tc.client, objects, { app: 'fmt' });
        const out: string[] = [];
        for await (const e of runSync(plan, tc.client, { prune })) {
          const line = formatSyncEvent(e);
          if (line !== undefined) out.push(line);
        }
        return out;
      };
      const first = await lines([cm('1'), cm('x', 'old')]);
      expect(first).toContain('configmap/settings created');
      expect(first).toContain('configmap/old created');
      expect(first.at(-1)).toMatch(/^sync Succeeded: .* \(2 write\(s\)\)$/);
      const again = await lines([cm('1'), cm('x', 'old')]);
      expect(again).toContain('configmap/settings unchanged');
      expect(again.at(-1)).toMatch(/\(0 write\(s\)\)$/);
      const changed = await lines([cm('2')], true);
      expect(changed).toContain('configmap/settings configured');
      expect(changed).toContain('configmap/old pruned');
    } finally {
      await tc.stop();
    }
  });

  it('prints health changes, failures and dry runs', () => {
    const key = { group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'a', name: 'web' };
    expect(
      formatSyncEvent({
        type: 'health-changed',
        id: 'x',
        key,
        health: { status: 'Progressing', message: 'waiting' },
      }),
    ).toBe('deployment.apps/web is Progressing: waiting');
    expect(formatSyncEvent({ type: 'applied', id: 'x', key, operation: 'created', dryRun: true })).toBe(
      'deployment.apps/web created (server dry run)',
    );
    expect(
      formatSyncEvent({ type: 'task-started', id: 'x', key, phase: 'Sync', wave: 0, action: 'apply' }),
    ).toBe(undefined);
    expect(
      formatSyncEvent(
        { type: 'task-started', id: 'x', key, phase: 'Sync', wave: 0, action: 'apply' },
        { verbose: true },
      ),
    ).toBe('deployment.apps/web apply');
    const result = {
      id: 'x',
      key,
      phase: 'Sync' as const,
      wave: 0,
      action: 'apply' as const,
      status: 'Failed' as const,
      operation: 'none' as const,
      message: 'refused',
    };
    expect(formatSyncEvent({ type: 'resource-result', result })).toBe('deployment.apps/web failed: refused');
  });
});
