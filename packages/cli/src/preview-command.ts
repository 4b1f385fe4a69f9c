import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import {
  type CliEnvironment,
  type OutputFormat,
  parseFlags,
  processEnvironment,
  reportError,
  UsageError,
  usageError,
  useColor,
} from './cli-env.js';
import type { CliStreams } from './cli-streams.js';
import { git } from './git-revision-fs.js';
import { preview } from './preview.js';
import { formatPreview } from './preview-format.js';

/** Help text of `gitops-kit preview`. */
export const PREVIEW_USAGE = `Usage: gitops-kit preview --base REF --head REF [PATH...] [flags]

In a git work tree, offline: render each application directory at both revisions, read from git's
object database (nothing is checked out, no cluster is asked), and print what changes per
application and object: added, changed (with a unified diff), removed. Secret values are masked.

Without PATH, the applications are every kustomization root (a kustomization no other one includes)
whose render read a file that changed between the two revisions. A PATH is a directory of the work
tree (relative to the current directory), compared even when nothing in it changed.

Exit status: 0 nothing differs, 1 something differs, 2 or more an error (a usage error, a head that
does not render, with --validate an object that does not match its schema).

Flags:
      --base REF                 The revision before (a branch, tag or commit; for a pull request
                                 the merge base, $(git merge-base origin/main HEAD))
      --head REF                 The revision after (default HEAD)
      --validate                 Check the head's objects against the built-in schemas and the CRDs
                                 in the tree: unknown fields, wrong types, missing required fields,
                                 each with its file and line (as kubeconform -strict)
  -o, --output FORMAT            text (default), json, yaml or markdown (a pull-request comment)
  -h, --help                     Show this help

Colour: text is coloured only when stdout is a terminal and NO_COLOR is not set.
`;

const FLAGS = {
  base: { type: 'string' },
  head: { type: 'string' },
  validate: { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A PATH argument as a repository-relative directory (`.` for the root). */
function repoRelative(top: string, path: string, from: string): string {
  let cwd = from;
  try {
    cwd = realpathSync(cwd);
  } catch {
    // the lexical path will do
  }
  const rel = relative(realpathSync(top), resolve(cwd, path)) || '.';
  if (rel.startsWith('..') || isAbsolute(rel))
    throw new UsageError(`${path} is outside the work tree ${top}`);
  return rel.split('\\').join('/');
}

/** Runs `gitops-kit preview` and returns its exit code: 0 no change, 1 changes, 2 an error. */
export async function runPreview(
  args: readonly string[],
  streams: CliStreams,
  environment: CliEnvironment = processEnvironment(),
): Promise<number> {
  let values: { base?: string; head?: string; validate?: boolean; output?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseFlags(args, FLAGS));
    if (values.help) {
      streams.stdout.write(PREVIEW_USAGE);
      return 0;
    }
    if (!values.base) throw new UsageError('flag --base is required');
  } catch (err) {
    if (err instanceof UsageError) return usageError(streams, err.message, PREVIEW_USAGE);
    throw err;
  }
  const format = (values.output ?? 'text') as OutputFormat;
  try {
    const cwd = environment.cwd ?? process.cwd();
    const top = (await git(cwd, ['rev-parse', '--show-toplevel'])).trim();
    const paths = positionals.length > 0 ? positionals.map((p) => repoRelative(top, p, cwd)) : undefined;
    const result = await preview({
      repoDir: top,
      base: values.base,
      head: values.head ?? 'HEAD',
      paths,
      validate: values.validate === true,
      color: useColor(format, environment),
    });
    streams.stdout.write(formatPreview(result, format));
    const failed =
      result.apps.some((a) => a.status === 'error') || (result.validation?.problems.length ?? 0) > 0;
    if (failed) return 2;
    return result.modified ? 1 : 0;
  } catch (err) {
    if (err instanceof UsageError) return usageError(streams, err.message, PREVIEW_USAGE);
    return reportError(streams, err, 2);
  }
}
