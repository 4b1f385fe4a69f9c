import { writeFile } from 'node:fs/promises';
import { isGitOpsError } from '@gitops-kit/core';
import type { CliStreams } from './cli-streams.js';
import { renderDir } from './render-dir.js';

/** Help text of `gitops-kit build`. */
export const BUILD_USAGE = `Usage: gitops-kit build [DIR] [flags]

Render the kustomization in DIR (default: the current directory). Writes exactly what
\`kustomize build DIR\` (and \`kubectl kustomize DIR\`) writes. Under LoadRestrictionsRootOnly
nothing outside ROOT is read, through a path or a symlink.

Flags:
  -o, --output FILE              Write the YAML to FILE instead of stdout
      --load-restrictor VALUE    LoadRestrictionsRootOnly (default) or LoadRestrictionsNone
      --root DIR                 No file outside DIR is read (default: the git work tree holding
                                 DIR, else /); not with LoadRestrictionsNone
      --enable-helm              Allow helmCharts: runs \`helm template\` on charts under the chart home
      --helm-command CMD         The helm binary (default: helm, found on PATH)
      --enable-alpha-plugins     Allow external plugins (refused: exec and KRM function plugins do not run)
      --enable-exec              Allow exec plugins (refused, as above)
  -h, --help                     Show this help
`;

/** Runs `gitops-kit build` and returns its exit code. */
export async function runBuild(args: readonly string[], streams: CliStreams): Promise<number> {
  let dir: string | undefined;
  let output: string | undefined;
  let loadRestrictor: 'RootOnly' | 'None' = 'RootOnly';
  let enableHelm = false;
  let helmCommand = 'helm';
  let enableAlphaPlugins = false;
  let root: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const value = (): string | undefined => {
      if (a.includes('=')) return a.slice(a.indexOf('=') + 1);
      i++;
      return args[i];
    };
    if (a === '-h' || a === '--help') {
      streams.stdout.write(BUILD_USAGE);
      return 0;
    } else if (a === '-o' || a === '--output' || a.startsWith('--output=')) {
      output = value();
      if (!output) return usageError(streams, 'flag --output needs a file');
    } else if (a === '--load-restrictor' || a.startsWith('--load-restrictor=')) {
      const v = value();
      if (v === 'LoadRestrictionsRootOnly') loadRestrictor = 'RootOnly';
      else if (v === 'LoadRestrictionsNone') loadRestrictor = 'None';
      else return usageError(streams, `invalid --load-restrictor "${v ?? ''}"`);
    } else if (a === '--root' || a.startsWith('--root=')) {
      root = value();
      if (!root) return usageError(streams, 'flag --root needs a directory');
    } else if (a === '--enable-helm') enableHelm = true;
    else if (a === '--helm-command' || a.startsWith('--helm-command=')) {
      const v = value();
      if (!v) return usageError(streams, 'flag --helm-command needs a value');
      helmCommand = v;
    } else if (a === '--enable-alpha-plugins' || a === '--enable-exec') enableAlphaPlugins = true;
    else if (a.startsWith('-')) return usageError(streams, `unknown flag ${a}`);
    else if (dir === undefined) dir = a;
    else return usageError(streams, 'specify one path to a kustomization directory');
  }
  try {
    const result = await renderDir(dir ?? '.', {
      loadRestrictor,
      root,
      enableHelm,
      helmCommand,
      enableAlphaPlugins,
    });
    // INEXACT_INTEGER concerns the rendered objects only: the YAML written here keeps every integer exact.
    // The others go to stderr as kubectl kustomize prints them, behind its `# Warning: ` prefix.
    for (const w of result.warnings)
      if (w.code !== 'INEXACT_INTEGER') streams.stderr.write(`# Warning: ${w.message}\n`);
    if (output) await writeFile(output, result.yaml);
    else streams.stdout.write(result.yaml);
    return 0;
  } catch (err) {
    const message = isGitOpsError(err) ? `${err.message} [${err.code}]` : (err as Error).message;
    streams.stderr.write(`Error: ${message}\n`);
    return 1;
  }
}

function usageError(streams: CliStreams, message: string): number {
  streams.stderr.write(`Error: ${message}\n\n${BUILD_USAGE}`);
  return 2;
}
