import { createMemFileSystem, SecurityError } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { renderKustomization } from '../src/index.js';

describe('a kustomization file that is a symlink', () => {
  const tree = () => {
    const { fs, volume } = createMemFileSystem({
      '/outside/kustomization.yaml': 'resources:\n- cm.yaml\n',
      '/outside/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stolen\n',
      '/app/real.yaml': 'resources: []\n',
    });
    return { fs, volume };
  };

  it('is refused under RootOnly when it leads out of its directory, as kustomize refuses it', async () => {
    const { fs, volume } = tree();
    volume.symlinkSync('/outside/kustomization.yaml', '/app/kustomization.yaml');
    const err = await renderKustomization(fs, '/app').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecurityError);
    expect((err as Error).message).toMatch(/kustomization\.yaml.*not in or below '\/app'/);
  });

  it('is followed when it stays inside, and under LoadRestrictionsNone', async () => {
    const { fs, volume } = tree();
    volume.symlinkSync('/app/real.yaml', '/app/kustomization.yaml');
    expect((await renderKustomization(fs, '/app')).objects).toEqual([]);
    const other = tree();
    other.volume.symlinkSync('/outside/kustomization.yaml', '/app/kustomization.yaml');
    const err = await renderKustomization(other.fs, '/app', { loadRestrictor: 'None' }).catch(
      (e: unknown) => e,
    );
    // The file is read; its resource, relative to /app, does not exist there.
    expect(err).toMatchObject({ code: 'NOT_FOUND' });
  });
});
