import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../src/index.js';
import type { PreviewResult } from '../src/preview.js';
import { gitopsKit, repoRoot } from './spawn.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
    },
  });
}

function write(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

function edit(root: string, path: string, from: string, to: string): void {
  const text = readFileSync(join(root, path), 'utf8');
  expect(text).toContain(from);
  writeFileSync(join(root, path), text.replace(from, to));
}

/** The line (1-based) of the first line of `path` containing `needle`, as an editor shows it. */
function lineOf(root: string, path: string, needle: string): number {
  const lines = readFileSync(join(root, path), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  expect(i).toBeGreaterThanOrEqual(0);
  return i + 1;
}

/** A git repository holding the examples' deploy repo, committed once; returns its path. */
function deployRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gk-preview-'));
  cpSync(join(repoRoot, 'examples', 'deploy-repo'), dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'initial');
  return dir;
}

function commit(dir: string, message: string): string {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', message);
  return git(dir, 'rev-parse', 'HEAD').trim();
}

async function previewJson(cwd: string, ...args: string[]) {
  const r = await gitopsKit(['preview', ...args, '-o', 'json'], { cwd });
  return {
    code: r.code,
    stderr: r.stderr,
    json: r.stdout ? (JSON.parse(r.stdout) as PreviewResult) : undefined,
  };
}

let repo: string;
let first: string;

beforeAll(() => {
  repo = deployRepo();
  first = git(repo, 'rev-parse', 'HEAD').trim();
});

describe('gitops-kit preview (a process, on a git repository made by native git)', () => {
  it('finds the applications whose inputs changed and shows each changed object', async () => {
    // Both overlays set the image tag: the base's new image changes neither render.
    edit(repo, 'base/deployment.yaml', 'image: nginx:1.27', 'image: nginx:1.28');
    edit(repo, 'base/configmap.yaml', 'LOG_LEVEL: info', 'LOG_LEVEL: debug');
    edit(repo, 'prod/replicas.yaml', 'replicas: 3', 'replicas: 4');
    write(
      repo,
      'prod/extra.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  k: v\n',
    );
    edit(
      repo,
      'prod/kustomization.yaml',
      'resources:\n  - ../base',
      'resources:\n  - ../base\n  - extra.yaml',
    );
    write(repo, 'README-2.md', 'not an input of any application\n');
    const second = commit(repo, 'change');

    const { code, stderr, json } = await previewJson(repo, '--base', first, '--head', second);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(json?.base.commit).toBe(first);
    expect(json?.head.commit).toBe(second);
    // base is included by dev and prod: it is not an application of its own.
    expect(json?.apps.map((a) => `${a.path} ${a.status}`)).toEqual(['dev changed', 'prod changed']);
    const prod = json?.apps.find((a) => a.path === 'prod');
    // In the head render's order (kustomize's: ConfigMaps by name, then the Deployment).
    expect(prod?.objects.map((o) => `${o.change} ${o.key.kind}/${o.key.name}`)).toEqual([
      'added ConfigMap/extra',
      'changed ConfigMap/web-config',
      'changed Deployment/web',
    ]);
    const deployment = prod?.objects[2];
    expect(deployment?.changes.map((c) => `${c.op} ${c.pointer} ${JSON.stringify(c.after)}`)).toEqual([
      'replace /spec/replicas 4',
    ]);
    expect(deployment?.diff).toContain('-  replicas: 3\n+  replicas: 4');
    expect(prod?.counts).toEqual({ added: 1, changed: 2, removed: 0, unchanged: 1 });
    const dev = json?.apps.find((a) => a.path === 'dev');
    expect(dev?.objects.map((o) => `${o.change} ${o.key.kind}/${o.key.name}`)).toEqual([
      'changed ConfigMap/web-config',
    ]);

    // Only the README changed: no application's inputs did.
    write(repo, 'README-2.md', 'still not an input\n');
    const third = commit(repo, 'docs');
    const none = await gitopsKit(['preview', '--base', second, '--head', third], { cwd: repo });
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('0 application(s), 0 changed');
  });

  it('previews given paths (from a subdirectory), added and removed applications, and masks Secrets', async () => {
    const dir = deployRepo();
    const base = git(dir, 'rev-parse', 'HEAD').trim();
    write(
      dir,
      'staging/kustomization.yaml',
      'resources:\n  - ../base\nnamespace: web-staging\nsecretGenerator:\n  - name: creds\n    literals:\n      - password=hunter2\n',
    );
    rmSync(join(dir, 'dev'), { recursive: true });
    const head = commit(dir, 'staging instead of dev');
    const { code, json } = await previewJson(
      join(dir, 'prod'),
      '--base',
      base,
      '--head',
      head,
      '../staging',
      '../dev',
      '.',
    );
    expect(code).toBe(1);
    expect(json?.apps.map((a) => `${a.path} ${a.status}`)).toEqual([
      'staging added',
      'dev removed',
      'prod unchanged',
    ]);
    expect(json?.apps[0]?.counts.added).toBe(4);
    expect(json?.apps[1]?.objects.every((o) => o.change === 'removed')).toBe(true);

    for (const format of ['text', 'json', 'yaml', 'markdown']) {
      const r = await gitopsKit(['preview', '--base', base, '--head', head, '-o', format], { cwd: dir });
      expect(r.code).toBe(1);
      expect(r.stdout).not.toContain('hunter2');
      expect(r.stdout).not.toContain(Buffer.from('hunter2').toString('base64'));
      expect(r.stdout).not.toContain('\u001b[');
      if (format !== 'json' && format !== 'yaml') expect(r.stdout).toContain('password: ++++++++');
      if (format === 'markdown') {
        expect(r.stdout).toContain('#### `staging`: added: 4 added, 0 changed, 0 removed, 0 unchanged');
        expect(r.stdout).toContain('| added | `Secret/web-staging/creds-');
        expect(r.stdout).toContain('```diff\n--- /dev/null\n+++ head/apps/Deployment/web-staging/web');
      }
    }
  });

  it('validates the head against the built-in schemas and the CRDs in the tree, with file and line', async () => {
    const dir = deployRepo();
    const base = git(dir, 'rev-parse', 'HEAD').trim();
    write(
      dir,
      'crds/widgets.yaml',
      `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
              color: {type: string}
`,
    );
    write(
      dir,
      'prod/widget.yaml',
      'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: big\n  colour: red\n',
    );
    edit(
      dir,
      'prod/kustomization.yaml',
      'resources:\n  - ../base',
      'resources:\n  - ../base\n  - widget.yaml',
    );
    edit(dir, 'prod/replicas.yaml', 'replicas: 3', 'replicas: "3"');
    edit(dir, 'base/service.yaml', '      targetPort: 80', '      targetPort: 80\n      targetPorts: 81');
    const head = commit(dir, 'invalid');

    const { code, json } = await previewJson(dir, '--base', base, '--head', head, '--validate');
    expect(code).toBe(2);
    const problems = json?.validation?.problems.map(
      (p) => `${p.file}:${p.line} ${p.key.kind} ${p.field} ${p.reason}`,
    );
    expect(problems?.sort()).toEqual(
      [
        `base/service.yaml:${lineOf(dir, 'base/service.yaml', 'targetPorts')} Service spec.ports[0].targetPorts unknown-field`,
        `base/service.yaml:${lineOf(dir, 'base/service.yaml', 'targetPorts')} Service spec.ports[0].targetPorts unknown-field`,
        `prod/replicas.yaml:${lineOf(dir, 'prod/replicas.yaml', 'replicas')} Deployment spec.replicas wrong-type`,
        `prod/widget.yaml:${lineOf(dir, 'prod/widget.yaml', 'colour')} Widget spec.colour unknown-field`,
        `prod/widget.yaml:${lineOf(dir, 'prod/widget.yaml', 'size')} Widget spec.size wrong-type`,
      ].sort(),
    );
    expect(json?.validation?.skipped).toEqual([]);
    const text = await gitopsKit(['preview', '--base', base, '--head', head, '--validate', 'prod'], {
      cwd: dir,
    });
    expect(text.code).toBe(2);
    expect(text.stdout).toContain(
      `prod/widget.yaml:${lineOf(dir, 'prod/widget.yaml', 'size')}: example.com/Widget/web-prod/w: spec.size: expected integer, got string`,
    );

    // Valid objects, validated: the exit code is the diff's.
    const fixed = deployRepo();
    const fixedBase = git(fixed, 'rev-parse', 'HEAD').trim();
    edit(fixed, 'prod/replicas.yaml', 'replicas: 3', 'replicas: 5');
    const fixedHead = commit(fixed, 'valid');
    const ok = await previewJson(fixed, '--base', fixedBase, '--head', fixedHead, '--validate');
    expect(ok.code).toBe(1);
    expect(ok.json?.validation?.problems).toEqual([]);
    expect(ok.json?.validation?.checked).toBe(3);
  });

  it('reports a head that does not render, usage errors and unknown revisions with exit code 2', async () => {
    const dir = deployRepo();
    const base = git(dir, 'rev-parse', 'HEAD').trim();
    edit(dir, 'prod/kustomization.yaml', '  - path: replicas.yaml', '  - path: missing.yaml');
    const head = commit(dir, 'broken');
    const broken = await previewJson(dir, '--base', base, '--head', head);
    expect(broken.code).toBe(2);
    expect(broken.json?.apps.find((a) => a.path === 'prod')?.status).toBe('error');
    expect(broken.json?.apps.find((a) => a.path === 'prod')?.error?.message).toContain('missing.yaml');

    const help = await gitopsKit(['preview', '--help'], { cwd: dir });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: gitops-kit preview --base REF --head REF [PATH...]');
    const noBase = await gitopsKit(['preview'], { cwd: dir });
    expect(noBase.code).toBe(2);
    expect(noBase.stderr).toContain('Error: flag --base is required');
    const unknown = await gitopsKit(['preview', '--base', base, '--frobnicate'], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--frobnicate'");
    const badRev = await gitopsKit(['preview', '--base', 'no-such-branch'], { cwd: dir });
    expect(badRev.code).toBe(2);
    expect(badRev.stderr).toMatch(/^Error: git rev-parse failed: .*\[VALIDATION_ERROR\]\n$/);
    const badFormat = await gitopsKit(['preview', '--base', base, '-o', 'xml'], { cwd: dir });
    expect(badFormat.code).toBe(2);
  });

  it('colours text only on a terminal and never with NO_COLOR', async () => {
    const out: string[] = [];
    const streams = {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => out.push(s) },
    };
    const second = git(repo, 'rev-parse', 'HEAD').trim();
    const { runPreview } = await import('../src/preview-command.js');
    expect(
      await runPreview(['--base', first, '--head', second], streams, { env: {}, isTTY: true, cwd: repo }),
    ).toBe(1);
    expect(out.join('')).toContain('\u001b[31m-');
    out.length = 0;
    expect(
      await runPreview(['--base', first, '--head', second], streams, {
        env: { NO_COLOR: '1' },
        isTTY: true,
        cwd: repo,
      }),
    ).toBe(1);
    expect(out.join('')).not.toContain('\u001b[');
    expect(runCli).toBeTypeOf('function');
  });
});
