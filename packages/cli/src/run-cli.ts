import { runApply } from './apply-command.js';
import { runBuild } from './build-command.js';
import type { CliStreams } from './cli-streams.js';
import { runDiff } from './diff-command.js';
import { runPreview } from './preview-command.js';
import { runStatus } from './status-command.js';
import { VERSION } from './version.js';

export type { CliStreams };

const USAGE = `Usage: gitops-kit <command> [options]

Commands:
  build DIR     Render a kustomization (the same bytes as \`kustomize build DIR\`)
  diff DIR      Diff the rendered objects against the live cluster (as \`kubectl diff -k DIR\`)
  preview       Compare the renders of two git revisions, offline (a pull-request preview)
  apply DIR     Plan and run a sync of DIR as application --app NAME (prune with --prune)
  status DIR    Each resource's sync status and health, as Argo CD computes them (--wait)
  version       Print the version

Options:
  -h, --help    Show this help
`;

/** Runs the `gitops-kit` command with the given arguments and returns its exit code. */
export async function runCli(argv: readonly string[], streams: CliStreams): Promise<number> {
  const [command] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    streams.stdout.write(USAGE);
    return command === undefined ? 1 : 0;
  }
  if (command === 'build') return runBuild(argv.slice(1), streams);
  if (command === 'diff') return runDiff(argv.slice(1), streams);
  if (command === 'preview') return runPreview(argv.slice(1), streams);
  if (command === 'apply') return runApply(argv.slice(1), streams);
  if (command === 'status') return runStatus(argv.slice(1), streams);
  if (command === 'version' || command === '--version') {
    streams.stdout.write(`${VERSION}\n`);
    return 0;
  }
  streams.stderr.write(`gitops-kit: unknown command "${command}"\n\n${USAGE}`);
  return 2;
}
