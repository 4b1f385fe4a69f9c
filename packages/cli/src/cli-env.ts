import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parseArgs } from 'node:util';
import { KubeClusterClient } from '@gitops-kit/cluster';
import { isGitOpsError } from '@gitops-kit/core';
import type { CliStreams } from './cli-streams.js';

/** Where a command reads its environment from; injectable for tests. */
export interface CliEnvironment {
  /** Environment variables (KUBECONFIG, NO_COLOR, HOME). */
  env: Readonly<Record<string, string | undefined>>;
  /** Whether stdout is a terminal. */
  isTTY: boolean;
  /** The working directory (default `process.cwd()`). */
  cwd?: string | undefined;
}

/** The environment of this process. */
export function processEnvironment(): CliEnvironment {
  return { env: process.env, isTTY: process.stdout.isTTY === true };
}

/** The output formats, as kubectl's `-o`. */
export type OutputFormat = 'text' | 'json' | 'yaml' | 'markdown';

/** Every output format, in the order the usage lists them. */
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'json', 'yaml', 'markdown'];

/** Colour only for text, only on a terminal, never with NO_COLOR set (to anything but empty). */
export function useColor(format: OutputFormat, environment: CliEnvironment): boolean {
  return format === 'text' && environment.isTTY && !environment.env.NO_COLOR;
}

/** The kubeconfig file: the flag, else the first of $KUBECONFIG, else ~/.kube/config (as kubectl). */
export function kubeconfigPath(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string {
  if (flag) return flag;
  const first = (env.KUBECONFIG ?? '').split(delimiter).find((p) => p !== '');
  return first ?? join(env.HOME ?? homedir(), '.kube', 'config');
}

/** kubectl's connection flags, for `parseArgs`. */
export const KUBE_FLAGS = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  output: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The cluster client of kubectl's flags: `--kubeconfig`, `--context`, `-n/--namespace`. */
export function openCluster(
  flags: { kubeconfig?: string | undefined; context?: string | undefined; namespace?: string | undefined },
  environment: CliEnvironment,
): Promise<KubeClusterClient> {
  return KubeClusterClient.fromKubeconfigFile(kubeconfigPath(flags.kubeconfig, environment.env), {
    ...(flags.context ? { context: flags.context } : {}),
    ...(flags.namespace ? { namespace: flags.namespace } : {}),
  });
}

/** A usage error thrown by {@link parseFlags}: printed with the usage, exit code 2. */
export class UsageError extends Error {}

/**
 * Parses a command's arguments with `node:util`'s `parseArgs` (`--flag value`, `--flag=value`,
 * `-n value`, positionals anywhere); an unknown flag or a missing value is a {@link UsageError}.
 * `-o` is checked against {@link OUTPUT_FORMATS}.
 */
export function parseFlags(
  args: readonly string[],
  options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    const output = (parsed.values as { output?: unknown }).output;
    if (output !== undefined && !OUTPUT_FORMATS.includes(output as OutputFormat))
      throw new UsageError(`invalid --output "${String(output)}": one of ${OUTPUT_FORMATS.join(', ')}`);
    return parsed as { values: Record<string, string | boolean | undefined>; positionals: string[] };
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError((err as Error).message);
  }
}

/** Writes an error as `Error: message [CODE]` and returns `code`. */
export function reportError(streams: CliStreams, err: unknown, code: number): number {
  const message = isGitOpsError(err) ? `${err.message} [${err.code}]` : (err as Error).message;
  streams.stderr.write(`Error: ${message}\n`);
  return code;
}

/** Writes a usage error and the usage, and returns 2. */
export function usageError(streams: CliStreams, message: string, usage: string): number {
  streams.stderr.write(`Error: ${message}\n\n${usage}`);
  return 2;
}
