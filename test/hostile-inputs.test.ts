// The hostile-input corpus of render and YAML inputs (the git one is a fake server's, in
// packages/git/test/hostile/). Every case must end in a typed error (a GitOpsError with a stable
// code) whose message names the file or field at fault: never a crash, a hang (each runs under a
// guard) or a stack trace in the message. Renders go through the confined file system, as the
// operator and `gitops-kit build` read a repository.
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCli } from '@gitops-kit/cli';
import {
  confineFileSystem,
  type GitOpsErrorCode,
  isGitOpsError,
  nodeFileSystem,
  parseYamlDocuments,
} from '@gitops-kit/core';
import { diff } from '@gitops-kit/diff';
import { renderKustomization } from '@gitops-kit/kustomize';
import { afterAll, describe, expect, it } from 'vitest';
import { RENDER_CASES, type RenderCase } from './hostile/render-cases.js';

const here = join(import.meta.dirname, 'hostile');
const work = mkdtempSync(join(tmpdir(), 'hostile-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Rejects when `promise` has not settled after `ms`: a hang fails the case instead of the run. */
function guard<T>(promise: Promise<T>, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms: a hang`)), ms);
  });
  return Promise.race([promise, hang]).finally(() => clearTimeout(timer));
}

/** Writes a case's repository into a fresh directory and returns it. */
function materialise(c: RenderCase, index: number): string {
  const repo = join(work, `case-${index}`);
  mkdirSync(join(repo, 'app'), { recursive: true });
  for (const [path, text] of Object.entries(c.files)) {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), text);
  }
  for (const [path, target] of Object.entries(c.symlinks ?? {})) symlinkSync(target, join(repo, path));
  for (const path of c.fifos ?? []) execFileSync('mkfifo', [join(repo, path)]);
  for (const [path, size] of Object.entries(c.sparse ?? {})) {
    const fd = openSync(join(repo, path), 'w');
    ftruncateSync(fd, size);
    closeSync(fd);
  }
  return repo;
}

function expectTyped(err: unknown, codes: readonly GitOpsErrorCode[], names: string): void {
  expect(isGitOpsError(err), `not a typed error: ${String(err)}`).toBe(true);
  const typed = err as Error & { code: GitOpsErrorCode };
  expect(codes, typed.message).toContain(typed.code);
  expect(typed.message).toContain(names);
  expect(typed.message).not.toMatch(/\n\s+at /);
}

describe('hostile render inputs', () => {
  RENDER_CASES.forEach((c, index) => {
    it(`${c.name}: a typed error naming ${c.names}`, async () => {
      const repo = materialise(c, index);
      const fs = confineFileSystem(nodeFileSystem(), repo);
      const err = await guard(renderKustomization(fs, join(repo, 'app'), c.options ?? {})).then(
        () => undefined,
        (e: unknown) => e,
      );
      expectTyped(err, c.codes, c.names);
    });
  });

  it('the same through gitops-kit build: exit 1, one line naming the file, nothing on stdout', async () => {
    const c = RENDER_CASES.find((r) => r.fifos !== undefined) as RenderCase;
    const repo = materialise(c, 1000);
    mkdirSync(join(repo, '.git'));
    const out: string[] = [];
    const errs: string[] = [];
    const code = await guard(
      runCli(['build', join(repo, 'app')], {
        stdout: { write: (s: string) => out.push(s) },
        stderr: { write: (s: string) => errs.push(s) },
      }),
    );
    expect(code).toBe(1);
    expect(out.join('')).toBe('');
    expect(errs.join('')).toMatch(/^Error: .*pipe\.yaml.*\[VALIDATION_ERROR\]\n$/);
  });

  it('an object nested 512 levels, at the limit, renders, patches and diffs without overflowing', async () => {
    const depth = 500; // under data: with the object's own levels, 512 in all at most
    const nested = (leaf: string) =>
      `${Array.from({ length: depth }, (_, i) => `${'  '.repeat(i + 2)}a:`).join('\n')} ${leaf}\n`;
    const repo = materialise(
      {
        name: 'deep',
        files: {
          'app/kustomization.yaml':
            'resources:\n- deep.yaml\npatches:\n- path: patch.yaml\ncommonLabels:\n  team: core\nnamePrefix: p-\n',
          'app/deep.yaml': `apiVersion: example.com/v1\nkind: Deep\nmetadata:\n  name: deep\nspec:\n  x:\n${nested('1')}`,
          'app/patch.yaml': `apiVersion: example.com/v1\nkind: Deep\nmetadata:\n  name: deep\nspec:\n  x:\n${nested('2')}`,
        },
        codes: [],
        names: '',
      },
      2000,
    );
    const result = await guard(
      renderKustomization(confineFileSystem(nodeFileSystem(), repo), join(repo, 'app')),
    );
    const [obj] = result.objects;
    expect(obj?.metadata.name).toBe('p-deep');
    expect(result.yaml).toContain('a: 2');
    const live = structuredClone(obj) as NonNullable<typeof obj>;
    expect(() => diff(obj as NonNullable<typeof obj>, live)).not.toThrow();
  });
});

describe('hostile YAML documents', () => {
  const cases = JSON.parse(readFileSync(join(here, 'yaml', 'cases.json'), 'utf8')) as Record<
    string,
    GitOpsErrorCode[]
  >;
  for (const [file, codes] of Object.entries(cases)) {
    it(`${file}: a typed error naming it`, () => {
      const text = readFileSync(join(here, 'yaml', file), 'utf8');
      let err: unknown;
      try {
        parseYamlDocuments(text, { file });
      } catch (e) {
        err = e;
      }
      expectTyped(err, codes, file);
    });
  }
});
