/**
 * @packageDocumentation
 * @gitops-kit/cli: the `gitops-kit` command.
 */

export { runApply } from './apply-command.js';
export type { CliEnvironment, OutputFormat } from './cli-env.js';
export { type DiffEnvironment, type DiffOutputFormat, runDiff } from './diff-command.js';
export {
  type PreviewApp,
  type PreviewAppStatus,
  type PreviewOptions,
  type PreviewResult,
  preview,
} from './preview.js';
export { runPreview } from './preview-command.js';
export type { ObjectChange, PreviewCounts, PreviewObject } from './preview-compare.js';
export { formatPreview, type PreviewFormat } from './preview-format.js';
export { type CliStreams, runCli } from './run-cli.js';
export { runStatus } from './status-command.js';
export type { ValidationProblem } from './validate-objects.js';
export { VERSION } from './version.js';
