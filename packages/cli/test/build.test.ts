import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..', '..');
const fixtures = join(repo, 'packages', 'kustomize', 'test', 'fixtures');

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    streams: { stdout: { write: (c: string) => out.push(c) }, stderr: { write: (c: string) => err.push(c) } },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

function kubectlKustomize(dir: string): string | undefined {
  try {
    return execFileSync('kubectl', ['kustomize', dir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return undefined;
  }
}

describe('gitops-kit build', () => {
  for (const dir of [
    join(repo, 'examples', 'deploy-repo', 'dev'),
    join(repo, 'examples', 'deploy-repo', 'prod'),
    join(fixtures, 'transformers'),
    join(fixtures, 'generators'),
    join(fixtures, 'big-integers'),
  ]) {
    it(`writes the same bytes as kubectl kustomize for ${dir.slice(repo.length + 1)}`, async () => {
      const c = capture();
      expect(await runCli(['build', dir], c.streams)).toBe(0);
      const expected = kubectlKustomize(dir) ?? readFileSync(join(dir, 'expected.yaml'), 'utf8');
      expect(c.out()).toBe(expected);
      // Like kustomize: nothing on stderr (integers beyond 2^53 are written exactly).
      expect(c.err()).toBe('');
    });
  }

  it('writes to a file with -o', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'gk-build-')), 'out.yaml');
    const c = capture();
    expect(await runCli(['build', join(fixtures, 'sort-fifo'), '-o', out], c.streams)).toBe(0);
    expect(c.out()).toBe('');
    expect(readFileSync(out, 'utf8')).toBe(
      readFileSync(join(fixtures, 'sort-fifo', 'expected.yaml'), 'utf8'),
    );
  });

  it('prints deprecation warnings on stderr, not stdout', async () => {
    const c = capture();
    expect(await runCli(['build', join(fixtures, 'replacements-vars')], c.streams)).toBe(0);
    expect(c.err()).toContain("'vars' is deprecated");
    expect(c.out()).not.toContain('Warning');
  });

  it("prints warnings with kubectl's `# Warning: ` prefix (the API's messages are plain text)", async () => {
    const dir = join(fixtures, 'replacements-vars');
    const c = capture();
    expect(await runCli(['build', dir], c.streams)).toBe(0);
    // kubectl's own stderr when it is installed, else the line kubectl v1.32 (kustomize v5.5.0) prints.
    const kubectl = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
    if (kubectl.status === 0) expect(c.err()).toBe(kubectl.stderr);
    expect(c.err()).toBe(
      "# Warning: 'vars' is deprecated. Please use 'replacements' instead. [EXPERIMENTAL] Run 'kustomize edit fix' to update your Kustomization automatically.\n",
    );
  });

  it('fails with a message on stderr and nothing on stdout', async () => {
    const c = capture();
    expect(await runCli(['build', join(here, 'no-such-dir')], c.streams)).toBe(1);
    expect(c.out()).toBe('');
    expect(c.err()).toMatch(/^Error: .*no-such-dir.*\[NOT_FOUND\]/);
  });

  it('shows help and refuses unknown flags', async () => {
    const help = capture();
    expect(await runCli(['build', '--help'], help.streams)).toBe(0);
    expect(help.out()).toContain('--load-restrictor');
    const bad = capture();
    expect(await runCli(['build', '--frobnicate'], bad.streams)).toBe(2);
    expect(bad.err()).toContain('unknown flag');
  });

  it('honours --load-restrictor LoadRestrictionsNone', async () => {
    const c = capture();
    const code = await runCli(
      ['build', join(fixtures, 'patches'), '--load-restrictor', 'LoadRestrictionsNone'],
      c.streams,
    );
    expect(code).toBe(0);
    expect(c.out()).toBe(readFileSync(join(fixtures, 'patches', 'expected.yaml'), 'utf8'));
  });
});

describe('gitops-kit build reads nothing outside its root', () => {
  const setup = () => {
    const base = mkdtempSync(join(tmpdir(), 'cli-root-'));
    const outside = join(base, 'outside');
    const app = join(base, 'repo', 'app');
    mkdirSync(join(base, 'repo', '.git'), { recursive: true });
    mkdirSync(app, { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(outside, 'kustomization.yaml'), 'resources:\n- secret.yaml\n');
    writeFileSync(
      join(outside, 'secret.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stolen\n',
    );
    return { base, outside, app };
  };

  it('refuses a kustomization.yaml that is a symlink out of DIR, as kubectl does', async () => {
    const { base, outside, app } = setup();
    try {
      symlinkSync(join(outside, 'kustomization.yaml'), join(app, 'kustomization.yaml'));
      const c = capture();
      expect(await runCli(['build', app], c.streams)).toBe(1);
      expect(c.out()).toBe('');
      expect(c.err()).toMatch(/kustomization\.yaml/);
      expect(c.err()).toMatch(/\[(PATH_ESCAPE|SYMLINK_ESCAPE)\]/);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('refuses a base reached through a symlink out of the git work tree, and one named with ..', async () => {
    const { base, app } = setup();
    try {
      symlinkSync(join(base, 'outside'), join(app, 'base'));
      writeFileSync(join(app, 'kustomization.yaml'), 'resources:\n- base\n');
      const c = capture();
      expect(await runCli(['build', app], c.streams)).toBe(1);
      expect(c.err()).toMatch(/SYMLINK_ESCAPE/);
      expect(c.out()).toBe('');

      writeFileSync(join(app, 'kustomization.yaml'), 'resources:\n- ../../outside\n');
      const d = capture();
      expect(await runCli(['build', app], d.streams)).toBe(1);
      expect(d.err()).toMatch(/PATH_ESCAPE/);
      // --root widens it.
      const e = capture();
      expect(await runCli(['build', app, '--root', base], e.streams)).toBe(0);
      expect(e.out()).toContain('name: stolen');
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
