/**
 * @packageDocumentation
 * @gitops-kit/cli: the `gitops-kit` command.
 */
export { type CliStreams, runCli } from './run-cli.js';
export { VERSION } from './version.js';
