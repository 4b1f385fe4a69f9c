import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { confineFileSystem, nodeFileSystem, type ReadonlyFileSystem } from '@gitops-kit/core';
import { type RenderResult, renderKustomization } from '@gitops-kit/kustomize';
import { sourceRoot } from './source-root.js';

/** How {@link renderDir} renders: the flags `build` and `diff` share. */
export interface RenderDirOptions {
  /** `RootOnly` (default): nothing outside `root` is read; `None`: no confinement. */
  loadRestrictor?: 'RootOnly' | 'None';
  /** The directory nothing outside of is read (default: the git work tree holding DIR, else `/`). */
  root?: string | undefined;
  /** Allow helmCharts (runs `helm template`). */
  enableHelm?: boolean;
  /** The helm binary. */
  helmCommand?: string;
  /** Allow external plugins (still refused: they do not run in process). */
  enableAlphaPlugins?: boolean;
}

/**
 * Renders the kustomization in `dir` through core's confined file system, as a source is rendered
 * in the operator: a kustomization file, resource or base reached through a symlink or a path out
 * of the root is refused. Every command that renders a directory goes through here.
 */
export async function renderDir(dir: string, options: RenderDirOptions = {}): Promise<RenderResult> {
  const loadRestrictor = options.loadRestrictor ?? 'RootOnly';
  const target = realPath(resolve(dir));
  let fs: ReadonlyFileSystem = nodeFileSystem();
  if (loadRestrictor === 'RootOnly')
    fs = confineFileSystem(
      fs,
      options.root === undefined ? sourceRoot(target) : realPath(resolve(options.root)),
    );
  return renderKustomization(fs, target, {
    loadRestrictor,
    enableHelm: options.enableHelm ?? false,
    helmCommand: options.helmCommand ?? 'helm',
    enableAlphaPlugins: options.enableAlphaPlugins ?? false,
  });
}

/** The real path of `path`; `path` itself when it does not exist (the render reports that). */
function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
