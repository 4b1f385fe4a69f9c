import { createMemFileSystem, ParseError } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_INPUT_BYTES, renderDirectory, renderKustomization } from '../src/index.js';

/** A ConfigMap document of exactly `bytes` bytes. */
function configMap(name: string, bytes: number): string {
  const head = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  k: "`;
  const tail = '"\n';
  return `${head}${'x'.repeat(bytes - head.length - tail.length)}${tail}`;
}

const kustomization = 'resources:\n- a.yaml\n- b.yaml\n- c.yaml\n';
const files = (each: number) => ({
  '/app/kustomization.yaml': kustomization,
  '/app/a.yaml': configMap('a', each),
  '/app/b.yaml': configMap('b', each),
  '/app/c.yaml': configMap('c', each),
});

describe('the input limit of one render (maxInputBytes)', () => {
  it('renders input of exactly the limit and refuses one byte more, naming the file that passed it', async () => {
    const limit = kustomization.length + 3 * 1000;
    const { fs } = createMemFileSystem(files(1000));
    const ok = await renderKustomization(fs, '/app', { maxInputBytes: limit });
    expect(ok.objects).toHaveLength(3);

    const err = await renderKustomization(fs, '/app', { maxInputBytes: limit - 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParseError);
    expect(err).toMatchObject({ code: 'LIMIT_EXCEEDED', file: 'c.yaml' });
    expect((err as Error).message).toMatch(/^c\.yaml: .*maxInputBytes/);
  });

  it('refuses many files each within maxFileBytes whose sum is not', async () => {
    const { fs } = createMemFileSystem(files(2000));
    const err = await renderKustomization(fs, '/app', { maxFileBytes: 2000, maxInputBytes: 5000 }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'LIMIT_EXCEEDED', file: 'c.yaml' });
  });

  it('has a default of 32 MiB: a file of 33 MiB, within maxFileBytes, is refused before it is parsed', async () => {
    expect(DEFAULT_MAX_INPUT_BYTES).toBe(32 * 1024 * 1024);
    const { fs } = createMemFileSystem({
      '/app/kustomization.yaml': kustomization,
      '/app/a.yaml': configMap('a', 100),
      '/app/b.yaml': configMap('b', 100),
      '/app/c.yaml': 'x'.repeat(33 * 1024 * 1024),
    });
    const err = await renderKustomization(fs, '/app').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'LIMIT_EXCEEDED', file: 'c.yaml' });
  });

  it('bounds a plain directory the same way', async () => {
    const { fs } = createMemFileSystem({
      '/dir/a.yaml': configMap('a', 1000),
      '/dir/b.yaml': configMap('b', 1000),
    });
    expect((await renderDirectory(fs, '/dir', { maxInputBytes: 2000 })).objects).toHaveLength(2);
    const err = await renderDirectory(fs, '/dir', { maxInputBytes: 1999 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'LIMIT_EXCEEDED', file: 'b.yaml' });
  });
});
