import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isGitOpsError, nodeFileSystem } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { renderKustomization } from '../src/index.js';

// kustomize reads every object's kind and name at the end of the build (IgnoreLocal) and refuses
// one a transformer emptied. The fixtures are fuzzer goldens; kubectl's verdicts are beside them.
const fuzz = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'fuzz');

async function refusal(dir: string): Promise<unknown> {
  return renderKustomization(nodeFileSystem(), dir).then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('an object the build left without a kind or a name', () => {
  it('is refused when a replacement empties its name, naming the file and the field', async () => {
    const e = await refusal(join(fuzz, 'replacement-empties-name'));
    expect(isGitOpsError(e)).toBe(true);
    expect(e).toMatchObject({ code: 'VALIDATION_ERROR', file: 'r.yaml', line: 1, path: 'metadata.name' });
    expect((e as Error).message).toContain('Service without a name');
    expect(readFileSync(join(fuzz, 'replacement-empties-name', 'expected-error.txt'), 'utf8')).toContain(
      'missing metadata.name',
    );
  });

  it('is refused when a JSON patch empties its kind', async () => {
    const e = await refusal(join(fuzz, 'json-patch-empties-kind'));
    expect(e).toMatchObject({ code: 'VALIDATION_ERROR', file: 'r.yaml', path: 'kind' });
    expect(readFileSync(join(fuzz, 'json-patch-empties-kind', 'expected-error.txt'), 'utf8')).toContain(
      'missing kind',
    );
  });

  it("renders when a base's empty name is set again by its overlay: only the root's output is read", async () => {
    const dir = join(fuzz, 'base-empty-name-restored-by-overlay');
    const result = await renderKustomization(nodeFileSystem(), join(dir, 'ov'));
    expect(result.yaml).toBe(readFileSync(join(dir, 'expected.yaml'), 'utf8'));
    expect(result.yaml).toContain('name: restored');
  });
});
