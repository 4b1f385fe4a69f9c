import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isNotFound } from '@gitops-kit/cluster';
import type { ApplicationComparisonResult, SyncResult } from '@gitops-kit/sync';
import { startTestCluster, type TestCluster } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { gitopsKit } from './spawn.js';

// Processes against a real HTTP server on a loaded machine: generous limits, no timing assertions.
vi.setConfig({ testTimeout: 400_000, hookTimeout: 60_000 });

let tc: TestCluster;
const kube = () => ['--kubeconfig', tc.kubeconfigPath];

beforeAll(async () => {
  tc = await startTestCluster({ controllers: { podReadyDelayMs: 20, progressDeadlineMs: 2000 } });
});
afterAll(async () => {
  await tc?.stop();
});

function configMap(name: string, value: string): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  value: "${value}"\n`;
}

function deployment(image: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ${image}
`;
}

/** A kustomization directory of `docs` in `namespace` (with the Namespace object itself). */
function app(namespace: string, docs: string[], dir = mkdtempSync(join(tmpdir(), 'gk-apply-'))): string {
  const all = [`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${namespace}\n`, ...docs];
  writeFileSync(join(dir, 'objects.yaml'), all.join('---\n'));
  writeFileSync(join(dir, 'kustomization.yaml'), `namespace: ${namespace}\nresources:\n- objects.yaml\n`);
  return dir;
}

async function liveValue(namespace: string, name: string): Promise<string | undefined> {
  try {
    const cm = await tc.client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name });
    return (cm as unknown as { data: { value: string } }).data.value;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

describe('gitops-kit apply (a process, against testkit over HTTP)', () => {
  it('creates in order, is idempotent, prunes only with --prune, and dry-runs without writing', async () => {
    const dir = app('cli-apply', [
      configMap('settings', 'one'),
      configMap('extra', 'x'),
      deployment('nginx:1.27'),
    ]);
    const first = await gitopsKit(['apply', dir, '--app', 'shop', ...kube()]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const lines = first.stdout.split('\n');
    const at = (line: string) => lines.indexOf(line);
    expect(at('namespace/cli-apply created')).toBeGreaterThanOrEqual(0);
    expect(at('configmap/settings created')).toBeGreaterThan(at('namespace/cli-apply created'));
    expect(at('deployment.apps/web created')).toBeGreaterThan(at('configmap/settings created'));
    expect(lines.at(-2)).toMatch(/^sync Succeeded: /);
    const cm = await tc.client.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'cli-apply',
      name: 'settings',
    });
    expect(cm.metadata.annotations?.['gitops-kit.dev/tracking-id']).toBe(
      'shop:/ConfigMap:cli-apply/settings',
    );

    const again = await gitopsKit(['apply', dir, '--app', 'shop', ...kube(), '-o', 'json']);
    expect(again.code).toBe(0);
    const result = JSON.parse(again.stdout) as SyncResult;
    expect(result.phase).toBe('Succeeded');
    expect(result.writes).toBe(0);
    expect(again.stderr).toContain('configmap/settings unchanged');

    app('cli-apply', [configMap('settings', 'two'), deployment('nginx:1.27')], dir);
    const dry = await gitopsKit(['apply', dir, '--app', 'shop', '--prune', '--dry-run=server', ...kube()]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('(dry run)');
    expect(await liveValue('cli-apply', 'settings')).toBe('one');
    expect(await liveValue('cli-apply', 'extra')).toBe('x');

    const noPrune = await gitopsKit(['apply', dir, '--app', 'shop', ...kube()]);
    expect(noPrune.code).toBe(0);
    expect(noPrune.stdout).toContain('configmap/settings configured');
    expect(noPrune.stdout).toContain('configmap/extra prune skipped');
    expect(await liveValue('cli-apply', 'settings')).toBe('two');
    expect(await liveValue('cli-apply', 'extra')).toBe('x');

    const pruned = await gitopsKit(['apply', dir, '--app', 'shop', '--prune', ...kube()]);
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toContain('configmap/extra pruned');
    expect(await liveValue('cli-apply', 'extra')).toBeUndefined();
  });

  it('never prunes after a failed or empty render, and says so with exit code 2', async () => {
    const dir = app('cli-apply-safe', [configMap('keep', 'k')]);
    expect((await gitopsKit(['apply', dir, '--app', 'safe', ...kube()])).code).toBe(0);

    writeFileSync(join(dir, 'kustomization.yaml'), 'resources:\n- missing.yaml\n');
    const broken = await gitopsKit(['apply', dir, '--app', 'safe', '--prune', ...kube()]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('missing.yaml');
    expect(broken.stdout).toBe('');
    expect(await liveValue('cli-apply-safe', 'keep')).toBe('k');

    writeFileSync(join(dir, 'kustomization.yaml'), 'resources: []\n');
    const empty = await gitopsKit(['apply', dir, '--app', 'safe', '--prune', ...kube()]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('refusing to prune after an empty render');
    expect(await liveValue('cli-apply-safe', 'keep')).toBe('k');
  });

  it('exits 1 for work not done: another app owns an object, a write is refused, a wait fails', async () => {
    const theirs = app('cli-apply-own', [configMap('shared', 'theirs')]);
    expect((await gitopsKit(['apply', theirs, '--app', 'other', ...kube()])).code).toBe(0);
    const ours = app('cli-apply-own', [configMap('shared', 'ours'), configMap('mine', 'm')]);
    const owned = await gitopsKit(['apply', ours, '--app', 'shop', ...kube()]);
    expect(owned.code).toBe(1);
    expect(owned.stderr).toContain('not applied: ConfigMap/cli-apply-own/shared: owned by app "other"');
    expect(await liveValue('cli-apply-own', 'shared')).toBe('theirs');

    const refused = app('cli-apply-bad', [
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: "many"\n',
    ]);
    const bad = await gitopsKit(['apply', refused, '--app', 'bad', '--server-side', ...kube()]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^sync Failed: /m);

    const stuck = app('cli-apply-wait', [deployment('nginx:bad')]);
    const waited = await gitopsKit([
      'apply',
      stuck,
      '--app',
      'stuck',
      '--wait',
      '--timeout',
      '2m',
      ...kube(),
    ]);
    expect(waited.code).toBe(1);
    expect(waited.stdout).toMatch(/^sync Failed: /m);
    expect(waited.stdout).toContain('deployment.apps/web is Degraded');
  });

  it('waits for health with --wait, masks Secret values, and refuses bad usage with exit code 2', async () => {
    const dir = app('cli-apply-ok', [
      deployment('nginx:1.27'),
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  password: hunter2\n',
    ]);
    for (const format of ['text', 'json', 'yaml', 'markdown']) {
      const r = await gitopsKit([
        'apply',
        dir,
        '--app',
        'ok',
        '--wait',
        '--timeout',
        '3m',
        '-o',
        format,
        ...kube(),
      ]);
      expect(r.code).toBe(0);
      expect(`${r.stdout}${r.stderr}`).not.toContain('hunter2');
      expect(`${r.stdout}${r.stderr}`).not.toContain(Buffer.from('hunter2').toString('base64'));
      if (format === 'json') expect((JSON.parse(r.stdout) as SyncResult).health).toBe('Healthy');
      if (format === 'markdown') expect(r.stdout).toContain('| `apps/Deployment/cli-apply-ok/web` | ');
    }
    const help = await gitopsKit(['apply', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: gitops-kit apply DIR --app NAME');
    for (const args of [
      [dir],
      [dir, '--app', 'x', '--dry-run=client'],
      [dir, '--app', 'x', '--timeout', 'soon'],
      ['--app', 'x'],
    ]) {
      const r = await gitopsKit(['apply', ...args, ...kube()]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^Error: /);
    }
  });
});

describe('gitops-kit status (a process, against testkit over HTTP)', () => {
  it('shows each resource Synced or OutOfSync with its health, and --wait waits for Synced and Healthy', async () => {
    const dir = app('cli-status', [configMap('settings', 'one'), deployment('nginx:1.27')]);
    const before = await gitopsKit(['status', dir, '--app', 'st', ...kube(), '-o', 'json']);
    expect(before.code).toBe(1);
    const missing = JSON.parse(before.stdout) as ApplicationComparisonResult;
    expect(missing.sync).toBe('OutOfSync');
    expect(missing.resources.map((r) => `${r.kind}/${r.name} ${r.sync}`)).toEqual([
      'ConfigMap/settings OutOfSync',
      'Namespace/cli-status OutOfSync',
      'Deployment/web OutOfSync',
    ]);

    // Waits while another process applies the app: the apply starts once the wait has said OutOfSync.
    let sawOutOfSync: () => void = () => {};
    const outOfSync = new Promise<void>((resolve) => {
      sawOutOfSync = resolve;
    });
    const waitArgs = ['--wait', '--timeout', '5m', '--interval', '200ms', ...kube()];
    const waiting = gitopsKit(['status', dir, '--app', 'st', ...waitArgs], {
      onStderr: (text) => {
        if (text.includes('st: OutOfSync')) sawOutOfSync();
      },
    });
    await outOfSync;
    expect((await gitopsKit(['apply', dir, '--app', 'st', ...kube()])).code).toBe(0);
    const waited = await waiting;
    expect(waited.code).toBe(0);
    expect(waited.stderr).toContain('st: OutOfSync');
    expect(waited.stdout).toContain('Sync:    Synced\nHealth:  Healthy\n');
    expect(waited.stdout).toMatch(/^apps\s+Deployment\s+cli-status\s+web\s+Synced\s+Healthy/m);

    // Without DIR: the app's live objects (by tracking id) with their health; sync is Unknown.
    const liveOnly = await gitopsKit(['status', '--app', 'st', ...kube(), '-o', 'json']);
    expect(liveOnly.code).toBe(0);
    const live = JSON.parse(liveOnly.stdout) as ApplicationComparisonResult;
    expect(live.sync).toBe('Unknown');
    expect(live.health.status).toBe('Healthy');
    expect(live.resources.map((r) => `${r.kind}/${r.name} ${r.health ?? '-'}`).sort()).toEqual([
      'ConfigMap/settings -',
      'Deployment/web Healthy',
      'Namespace/cli-status -',
    ]);
    const nobody = await gitopsKit(['status', '--app', 'nobody', '--wait', '--timeout', '1s', ...kube()]);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain('Error: nobody is not Healthy: no live object carries its tracking id');

    app('cli-status', [configMap('settings', 'two'), deployment('nginx:1.27')], dir);
    const drift = await gitopsKit(['status', dir, '--app', 'st', ...kube(), '-o', 'markdown']);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toContain('|  | ConfigMap | cli-status | settings | OutOfSync |  |  |');

    const timeout = await gitopsKit(['status', dir, '--app', 'st', '--wait', '--timeout', '1s', ...kube()]);
    expect(timeout.code).toBe(1);
    expect(timeout.stderr).toContain(
      'Error: st is not Synced and Healthy: timed out after 1s (OutOfSync, Healthy)',
    );

    writeFileSync(join(dir, 'kustomization.yaml'), 'resources:\n- missing.yaml\n');
    const broken = await gitopsKit(['status', dir, '--app', 'st', ...kube(), '-o', 'yaml']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('sync: Unknown');

    const usage = await gitopsKit(['status', dir, ...kube()]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('Error: flag --app is required');
  });
});
