import { describe, expect, it } from 'vitest';
import { runQuickstart } from '../src/quickstart.js';

describe('quick start: the whole pipeline on the embedded default', () => {
  it('syncs the dev overlay to Healthy, then applies only the new image tag', async () => {
    const lines: string[] = [];
    const report = await runQuickstart({ log: (l) => lines.push(l), newTag: '1.27.9' });

    expect(report.first.result.phase).toBe('Succeeded');
    expect(report.first.summary.sync).toBe('Synced');
    expect(report.first.summary.health.status).toBe('Healthy');
    expect(report.first.summary.resources.map((r) => r.kind).sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'Service',
    ]);
    expect(report.first.summary.resources.every((r) => r.sync === 'Synced')).toBe(true);

    expect(report.second.summary.sync).toBe('Synced');
    expect(report.second.summary.revision).not.toBe(report.first.summary.revision);
    expect(report.second.changed).toEqual(['configured Deployment/web-dev/web']);
    expect(report.second.result.writes).toBe(1);
    expect(lines.join('\n')).toMatch(/Sync Status:\s+Synced to \([0-9a-f]{7}\)/);
  });
});
