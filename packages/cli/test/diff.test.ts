import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseYaml } from '@gitops-kit/core';
import type { DiffManyJson } from '@gitops-kit/diff';
import { startTestCluster, type TestCluster } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli, runDiff } from '../src/index.js';

// Processes against a real HTTP server on a loaded machine: generous limits, no timing assertions.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 60_000 });

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..', '..');
const tsx = join(repo, 'node_modules', '.bin', 'tsx');
const bin = join(repo, 'packages', 'cli', 'src', 'bin.ts');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

// Asynchronous on purpose: the testkit server answers from this process's event loop.
function run(command: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, NO_COLOR: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let tc: TestCluster;
const gitopsKit = (...args: string[]) => run(tsx, ['--conditions=source', bin, ...args]);
const kubectl = (...args: string[]) => run('kubectl', ['--kubeconfig', tc.kubeconfigPath, ...args]);

beforeAll(async () => {
  tc = await startTestCluster();
});
afterAll(async () => {
  await tc?.stop();
});

function configMap(name: string, data: Record<string, string>): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n${Object.entries(data)
    .map(([k, v]) => `  ${k}: "${v}"`)
    .join('\n')}\n`;
}

function deployment(replicas: number, image = 'nginx:1.27'): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: ${replicas}
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

function secret(value: string): string {
  return `apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  password: ${value}\n`;
}

/** A kustomization directory of `docs` in `namespace`; its rendered YAML beside it (for kubectl). */
async function app(namespace: string, docs: string[]): Promise<{ dir: string; rendered: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'gk-diff-'));
  writeFileSync(join(dir, 'objects.yaml'), docs.join('---\n'));
  writeFileSync(
    join(dir, 'kustomization.yaml'),
    `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ${namespace}\nresources:\n- objects.yaml\n`,
  );
  const rendered = join(mkdtempSync(join(tmpdir(), 'gk-diff-out-')), 'rendered.yaml');
  const sink = { write: () => true };
  expect(await runCli(['build', dir, '-o', rendered], { stdout: sink, stderr: sink })).toBe(0);
  return { dir, rendered };
}

async function namespace(name: string): Promise<void> {
  await tc.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

/** The objects `kubectl diff` says differ, as `Kind/namespace/name`, from its `diff -u -N` lines. */
function kubectlDiffers(out: string): string[] {
  const found: string[] = [];
  for (const m of out.matchAll(/^diff -u -N \S+\/LIVE-\d+\/(\S+) /gm)) {
    // group.version.Kind.namespace.name, the group absent for the core group.
    const parts = (m[1] as string).split('.');
    const [name, ns, kind] = [parts.pop(), parts.pop(), parts.pop()];
    found.push(`${kind}/${ns}/${name}`);
  }
  return found.sort();
}

async function ourDiffers(dir: string): Promise<{ code: number | null; objects: string[] }> {
  const r = await gitopsKit('diff', dir, '--kubeconfig', tc.kubeconfigPath, '-o', 'json');
  expect(r.stderr).toBe('');
  const json = JSON.parse(r.stdout) as DiffManyJson;
  return {
    code: r.code,
    objects: json.items.map((i) => `${i.key.kind}/${i.key.namespace}/${i.key.name}`).sort(),
  };
}

describe('gitops-kit diff (a process, against testkit over HTTP)', () => {
  it('exits 1 with creations, 0 once applied, 1 with a change, masking Secret values', async () => {
    await namespace('cli-diff');
    const first = await app('cli-diff', [
      configMap('settings', { a: '1' }),
      secret('hunter2'),
      deployment(2),
    ]);
    const created = await gitopsKit('diff', first.dir, '--kubeconfig', tc.kubeconfigPath);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(1);
    expect(created.stdout).toContain('--- /dev/null\n+++ predicted/ConfigMap/cli-diff/settings');
    expect(created.stdout).toContain('+++ predicted/apps/Deployment/cli-diff/web');
    expect(created.stdout).toContain('password: ++++++++');
    expect(created.stdout).not.toContain('hunter2');
    expect(created.stdout).not.toContain(Buffer.from('hunter2').toString('base64'));
    // Not a terminal: no colour.
    expect(created.stdout).not.toContain('\u001b[');

    const applied = await kubectl('apply', '-f', first.rendered);
    expect(applied.code).toBe(0);
    const same = await gitopsKit('diff', first.dir, '--kubeconfig', tc.kubeconfigPath);
    expect(same).toEqual({ code: 0, stdout: '', stderr: '' });

    const second = await app('cli-diff', [
      configMap('settings', { a: '2' }),
      secret('hunter3'),
      deployment(2),
    ]);
    const changed = await gitopsKit('diff', second.dir, '--kubeconfig', tc.kubeconfigPath);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toContain('--- live/ConfigMap/cli-diff/settings');
    expect(changed.stdout).toContain('-  a: "1"\n+  a: "2"');
    expect(changed.stdout).toContain('--- live/Secret/cli-diff/creds');
    expect(changed.stdout).not.toContain('Deployment');
    expect(changed.stdout).not.toMatch(/hunter[23]/);

    for (const format of ['json', 'yaml', 'markdown']) {
      const r = await gitopsKit('diff', second.dir, '--kubeconfig', tc.kubeconfigPath, '-o', format);
      expect(r.code).toBe(1);
      expect(r.stdout).not.toMatch(/hunter[23]/);
      if (format === 'json') {
        const json = JSON.parse(r.stdout) as DiffManyJson;
        expect(json.items.map((i) => `${i.status} ${i.key.kind}`)).toEqual([
          'update ConfigMap',
          'update Secret',
        ]);
      }
      if (format === 'yaml') expect(r.stdout).toContain('modified: true\n');
      if (format === 'markdown') expect(r.stdout).toContain('| update | `ConfigMap/cli-diff/settings` |');
    }

    // Ignore rules leave the ConfigMap's data out: only the Secret differs.
    const rules = join(mkdtempSync(join(tmpdir(), 'gk-ignore-')), 'ignore.yaml');
    writeFileSync(rules, 'ignoreDifferences:\n- kind: ConfigMap\n  jsonPointers: [/data]\n');
    const ignored = await gitopsKit(
      'diff',
      second.dir,
      '--kubeconfig',
      tc.kubeconfigPath,
      '--ignore',
      rules,
      '-o',
      'json',
    );
    expect(ignored.code).toBe(1);
    expect((JSON.parse(ignored.stdout) as DiffManyJson).items.map((i) => i.key.kind)).toEqual(['Secret']);
  });

  it('takes the namespace from -n, and the kubeconfig from $KUBECONFIG', async () => {
    await namespace('cli-ns');
    const dir = mkdtempSync(join(tmpdir(), 'gk-diff-ns-'));
    writeFileSync(join(dir, 'kustomization.yaml'), 'resources:\n- cm.yaml\n');
    writeFileSync(join(dir, 'cm.yaml'), configMap('plain', { a: '1' }));
    await tc.client.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'plain', namespace: 'cli-ns' },
      data: { a: '1' },
    });
    const r = await run(tsx, ['--conditions=source', bin, 'diff', dir, '-n', 'cli-ns', '-o', 'json'], {
      KUBECONFIG: tc.kubeconfigPath,
    });
    expect(r.stderr).toBe('');
    // Two-way without last-applied: the live object carries everything desired, so nothing differs.
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as DiffManyJson).items).toEqual([]);
    const other = await gitopsKit('diff', dir, '--kubeconfig', tc.kubeconfigPath, '--namespace=default');
    expect(other.code).toBe(1);
    expect(other.stdout).toContain('+++ predicted/ConfigMap/default/plain');
  });

  it('exits 2 on errors: usage, a kubeconfig that cannot be read, a kind the server lacks, a broken render', async () => {
    const help = await gitopsKit('diff', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: gitops-kit diff [DIR] [flags]');
    expect((await gitopsKit('diff', '-o', 'xml')).code).toBe(2);
    const { dir } = await app('default', [configMap('x', { a: '1' })]);
    const noConfig = await gitopsKit('diff', dir, '--kubeconfig', join(dir, 'missing'));
    expect(noConfig.code).toBe(2);
    expect(noConfig.stderr).toMatch(/^Error: /);
    const crd = await app('default', ['apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n']);
    const unknown = await gitopsKit('diff', crd.dir, '--kubeconfig', tc.kubeconfigPath);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Widget');
    const broken = mkdtempSync(join(tmpdir(), 'gk-diff-broken-'));
    mkdirSync(join(broken, 'sub'));
    writeFileSync(join(broken, 'kustomization.yaml'), 'resources:\n- missing.yaml\n');
    const failed = await gitopsKit('diff', broken, '--kubeconfig', tc.kubeconfigPath);
    expect(failed.code).toBe(2);
    expect(failed.stdout).toBe('');
  });

  it('uses the context --context names, not the current one', async () => {
    await namespace('cli-context');
    const { dir } = await app('cli-context', [configMap('c', { a: '1' })]);
    // The current context points at a port nothing listens on; the named one at testkit.
    const config = parseYaml(tc.kubeconfig) as {
      clusters: { name: string; cluster: Record<string, unknown> }[];
      contexts: { name: string; context: { cluster: string; user: string } }[];
      'current-context': string;
    };
    const good = config['current-context'];
    const context = config.contexts.find((c) => c.name === good)?.context;
    config.clusters.push({ name: 'nowhere', cluster: { server: 'http://127.0.0.1:1' } });
    config.contexts.push({ name: 'nowhere', context: { cluster: 'nowhere', user: context?.user ?? '' } });
    config['current-context'] = 'nowhere';
    const path = join(mkdtempSync(join(tmpdir(), 'gk-context-')), 'kubeconfig');
    writeFileSync(path, JSON.stringify(config));
    const sink = { write: () => true };
    const environment = { env: {}, isTTY: false };
    expect(
      await runDiff(
        [dir, '--kubeconfig', path, '--context', good],
        { stdout: sink, stderr: sink },
        environment,
      ),
    ).toBe(1);
    const errors: string[] = [];
    const failed = await runDiff(
      [dir, '--kubeconfig', path],
      { stdout: sink, stderr: { write: (c: string) => errors.push(c) } },
      environment,
    );
    expect(failed).toBe(2);
    expect(errors.join('')).toMatch(/^Error: /);
  });

  it('colours text only on a terminal, and never with NO_COLOR', async () => {
    await namespace('cli-colour');
    const { dir } = await app('cli-colour', [configMap('c', { a: '1' })]);
    const args = ['diff', dir, '--kubeconfig', tc.kubeconfigPath];
    const out = async (environment: { env: Record<string, string>; isTTY: boolean }) => {
      const chunks: string[] = [];
      const code = await runDiff(
        args.slice(1),
        { stdout: { write: (c: string) => chunks.push(c) }, stderr: { write: () => true } },
        environment,
      );
      expect(code).toBe(1);
      return chunks.join('');
    };
    expect(await out({ env: {}, isTTY: true })).toContain('\u001b[32m+');
    expect(await out({ env: { NO_COLOR: '1' }, isTTY: true })).not.toContain('\u001b[');
    expect(await out({ env: {}, isTTY: false })).not.toContain('\u001b[');
  });
});

describe('gitops-kit diff agrees with kubectl diff on which objects differ', () => {
  it('on creations, no change, changed fields, live drift and fields set by others', async () => {
    await namespace('agree');
    const cases: { name: string; docs: string[]; before?: () => Promise<void> }[] = [
      { name: 'nothing exists yet', docs: [configMap('a', { x: '1' }), deployment(1)] },
      {
        name: 'applied, unchanged',
        docs: [configMap('a', { x: '1' }), deployment(1)],
        before: async () => {
          const { rendered } = await app('agree', [configMap('a', { x: '1' }), deployment(1)]);
          expect((await kubectl('apply', '-f', rendered)).code).toBe(0);
        },
      },
      {
        name: 'one value changed, one object new',
        docs: [configMap('a', { x: '2' }), deployment(1), configMap('b', { y: '1' })],
      },
      {
        name: 'live drift on a field desired sets',
        docs: [configMap('a', { x: '1' }), deployment(1)],
        before: async () => {
          const r = await kubectl(
            '-n',
            'agree',
            'patch',
            'deployment',
            'web',
            '--type=merge',
            '-p',
            '{"spec":{"replicas":3}}',
          );
          expect(r.code).toBe(0);
        },
      },
      {
        name: 'a label another actor added, and a changed image',
        docs: [configMap('a', { x: '1' }), deployment(3, 'nginx:1.28')],
        before: async () => {
          expect((await kubectl('-n', 'agree', 'label', 'configmap', 'a', 'team=web')).code).toBe(0);
        },
      },
      { name: 'a Secret', docs: [configMap('a', { x: '1' }), secret('s3cret')] },
    ];
    for (const c of cases) {
      await c.before?.();
      const { dir, rendered } = await app('agree', c.docs);
      const ours = await ourDiffers(dir);
      const theirs = await kubectl('diff', '-f', rendered);
      expect(theirs.code, `${c.name}: ${theirs.stderr}`).toBeLessThan(2);
      expect({ case: c.name, code: ours.code, objects: ours.objects }).toEqual({
        case: c.name,
        code: theirs.code,
        objects: kubectlDiffers(theirs.stdout),
      });
    }
  });
});

describe('gitops-kit diff --server-side agrees with kubectl diff --server-side', () => {
  it('on creations, no change, a changed value, drift taken over, and fields set by others', async () => {
    await namespace('agree-ssa');
    const ssa = ['--server-side', '--field-manager', 'gitops-kit'];
    const cases: { name: string; docs: string[]; force?: boolean; before?: () => Promise<void> }[] = [
      { name: 'nothing exists yet', docs: [configMap('a', { x: '1' }), deployment(1)] },
      {
        name: 'applied server-side, unchanged',
        docs: [configMap('a', { x: '1' }), deployment(1)],
        before: async () => {
          const { rendered } = await app('agree-ssa', [configMap('a', { x: '1' }), deployment(1)]);
          expect((await kubectl('apply', ...ssa, '-f', rendered)).code).toBe(0);
        },
      },
      {
        name: 'one value changed, one object new',
        docs: [configMap('a', { x: '2' }), deployment(1), configMap('b', { y: '1' })],
      },
      {
        name: 'a field another manager took, taken back with --force-conflicts',
        docs: [configMap('a', { x: '1' }), deployment(1)],
        force: true,
        before: async () => {
          const r = await kubectl('-n', 'agree-ssa', 'scale', 'deployment', 'web', '--replicas=3');
          expect(r.code).toBe(0);
        },
      },
      {
        name: 'a label another actor added',
        docs: [configMap('a', { x: '1' }), deployment(3)],
        force: true,
        before: async () => {
          expect((await kubectl('-n', 'agree-ssa', 'label', 'configmap', 'a', 'team=web')).code).toBe(0);
        },
      },
    ];
    for (const c of cases) {
      await c.before?.();
      const { dir, rendered } = await app('agree-ssa', c.docs);
      const force = c.force ? ['--force-conflicts'] : [];
      const r = await gitopsKit(
        'diff',
        dir,
        '--kubeconfig',
        tc.kubeconfigPath,
        ...ssa,
        ...force,
        '-o',
        'json',
      );
      expect(r.stderr, c.name).toBe('');
      const json = JSON.parse(r.stdout) as DiffManyJson;
      const ours = json.items.map((i) => `${i.key.kind}/${i.key.namespace}/${i.key.name}`).sort();
      const theirs = await kubectl('diff', ...ssa, ...force, '-f', rendered);
      expect(theirs.code, `${c.name}: ${theirs.stderr}`).toBeLessThan(2);
      expect({ case: c.name, code: r.code, objects: ours }).toEqual({
        case: c.name,
        code: theirs.code,
        objects: kubectlDiffers(theirs.stdout),
      });
    }
  });
});
