import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
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

  it('fails with a message on stderr and nothing on stdout', async () => {
    const c = capture();
    expect(await runCli(['build', join(here, 'no-such-dir')], c.streams)).toBe(1);
    expect(c.out()).toBe('');
    expect(c.err()).toMatch(/^Error: .*kustomization/);
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
