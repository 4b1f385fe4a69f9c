/**
 * @packageDocumentation
 * @gitops-kit/cli: the `gitops-kit` command.
 */
export { type DiffEnvironment, type DiffOutputFormat, runDiff } from './diff-command.js';
export { type CliStreams, runCli } from './run-cli.js';
export { VERSION } from './version.js';
