import { readFile } from 'node:fs/promises';
import { type ClusterClient, isNotFound, KubeClusterClient } from '@gitops-kit/cluster';
import {
  isGitOpsError,
  isJsonObject,
  type KubeObject,
  parseYaml,
  stringifyKubeYaml,
  ValidationError,
  type YamlValue,
} from '@gitops-kit/core';
import { diffMany, diffManyToJson, type IgnoreDifferencesRule, renderDiffMany } from '@gitops-kit/diff';
import { type CliEnvironment, kubeconfigPath } from './cli-env.js';
import type { CliStreams } from './cli-streams.js';
import { renderDir } from './render-dir.js';
import { DEFAULT_DIFF_FIELD_MANAGER, serverSideDiffOptions } from './server-side-dry-run.js';

/** Help text of `gitops-kit diff`. */
export const DIFF_USAGE = `Usage: gitops-kit diff [DIR] [flags]

Render the kustomization in DIR (default: the current directory), as \`gitops-kit build\` does, and
diff each object against the live cluster, as \`kubectl diff -k DIR\` does: three-way with the live
object's last-applied configuration when it has one. Secret values are masked.

Exit status: 0 nothing differs, 1 something differs, 2 or more an error.

Flags:
      --kubeconfig FILE          The kubeconfig (default: $KUBECONFIG, else ~/.kube/config)
      --context NAME             The kubeconfig context (default: its current context)
  -n, --namespace NS             The namespace of objects that name none (default: the context's)
  -o, --output FORMAT            text (default: unified diffs), json, yaml or markdown
      --ignore FILE              Argo CD ignoreDifferences rules (a YAML list, or a map with
                                 ignoreDifferences:) for fields left out of the comparison
      --root DIR                 No file outside DIR is read (default: the git work tree holding DIR)
      --server-side              Compare with the server's answer to a server-side apply dry run of
                                 each object, as \`kubectl diff --server-side\` (defaults, admission
                                 webhooks and other managers' fields as the server decides them)
      --field-manager NAME       The field manager of --server-side (default: gitops-kit)
      --force-conflicts          With --server-side: take over fields other managers own, instead
                                 of reporting the conflict as an error
  -h, --help                     Show this help

Colour: text is coloured only when stdout is a terminal and NO_COLOR is not set.
`;

/** The output formats of `gitops-kit diff`. */
export type DiffOutputFormat = 'text' | 'json' | 'yaml' | 'markdown';

const FORMATS: readonly DiffOutputFormat[] = ['text', 'json', 'yaml', 'markdown'];

/** Where `diff` reads its environment from; injectable for tests. */
export type DiffEnvironment = CliEnvironment;

/** Runs `gitops-kit diff` and returns its exit code: 0 no change, 1 changes, 2 an error. */
export async function runDiff(
  args: readonly string[],
  streams: CliStreams,
  environment: DiffEnvironment = { env: process.env, isTTY: process.stdout.isTTY === true },
): Promise<number> {
  let dir: string | undefined;
  let kubeconfig: string | undefined;
  let context: string | undefined;
  let namespace: string | undefined;
  let format: DiffOutputFormat = 'text';
  let ignoreFile: string | undefined;
  let root: string | undefined;
  let serverSide = false;
  let forceConflicts = false;
  let fieldManager = DEFAULT_DIFF_FIELD_MANAGER;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const value = (): string | undefined => {
      if (a.startsWith('--') && a.includes('=')) return a.slice(a.indexOf('=') + 1);
      i++;
      return args[i];
    };
    const flag = (name: string) => a === name || a.startsWith(`${name}=`);
    if (a === '-h' || a === '--help') {
      streams.stdout.write(DIFF_USAGE);
      return 0;
    } else if (flag('--kubeconfig')) {
      kubeconfig = value();
      if (!kubeconfig) return usageError(streams, 'flag --kubeconfig needs a file');
    } else if (flag('--context')) {
      context = value();
      if (!context) return usageError(streams, 'flag --context needs a name');
    } else if (a === '-n' || flag('--namespace')) {
      namespace = value();
      if (!namespace) return usageError(streams, 'flag --namespace needs a namespace');
    } else if (a === '-o' || flag('--output')) {
      const v = value();
      if (!FORMATS.includes(v as DiffOutputFormat))
        return usageError(streams, `invalid --output "${v ?? ''}": one of ${FORMATS.join(', ')}`);
      format = v as DiffOutputFormat;
    } else if (flag('--ignore')) {
      ignoreFile = value();
      if (!ignoreFile) return usageError(streams, 'flag --ignore needs a file');
    } else if (flag('--root')) {
      root = value();
      if (!root) return usageError(streams, 'flag --root needs a directory');
    } else if (a === '--server-side') serverSide = true;
    else if (a === '--force-conflicts') forceConflicts = true;
    else if (flag('--field-manager')) {
      fieldManager = value() ?? '';
      if (!fieldManager) return usageError(streams, 'flag --field-manager needs a name');
    } else if (a.startsWith('-')) return usageError(streams, `unknown flag ${a}`);
    else if (dir === undefined) dir = a;
    else return usageError(streams, 'specify one path to a kustomization directory');
  }

  let client: KubeClusterClient | undefined;
  try {
    const ignoreDifferences = ignoreFile === undefined ? [] : await readIgnoreRules(ignoreFile);
    const rendered = await renderDir(dir ?? '.', { root });
    for (const w of rendered.warnings)
      if (w.code !== 'INEXACT_INTEGER') streams.stderr.write(`# Warning: ${w.message}\n`);
    const path = kubeconfigPath(kubeconfig, environment.env);
    client = await KubeClusterClient.fromKubeconfigFile(path, {
      ...(context ? { context } : {}),
      ...(namespace ? { namespace } : {}),
    });
    const defaultNamespace = client.defaultNamespace;
    const { desired, live } = await liveCounterparts(client, rendered.objects, defaultNamespace);
    const serverSideOptions = serverSide
      ? await serverSideDiffOptions(client, desired, {
          fieldManager,
          force: forceConflicts,
          defaultNamespace,
        })
      : {};
    const result = diffMany({ desired, live }, { ...serverSideOptions, defaultNamespace, ignoreDifferences });
    const color = format === 'text' && environment.isTTY && !environment.env.NO_COLOR;
    if (format === 'yaml')
      streams.stdout.write(stringifyKubeYaml(diffManyToJson(result) as unknown as YamlValue));
    else streams.stdout.write(renderDiffMany(result, { format, color }));
    const errors = result.items.filter((item) => item.status === 'error');
    for (const item of errors) if (format !== 'text') streams.stderr.write(`Error: ${item.error?.message}\n`);
    if (errors.length > 0) return 2;
    return result.modified ? 1 : 0;
  } catch (err) {
    const message = isGitOpsError(err) ? `${err.message} [${err.code}]` : (err as Error).message;
    streams.stderr.write(`Error: ${message}\n`);
    return 2;
  } finally {
    client?.close();
  }
}

/**
 * The desired objects with their namespace filled in (namespaced kinds only, as the server serves
 * them) and the live object of each that exists: what `kubectl diff` compares. Objects live only
 * are not looked for: `diff` says what applying DIR would change, not what a prune would remove.
 */
async function liveCounterparts(
  client: ClusterClient,
  objects: readonly KubeObject[],
  defaultNamespace: string,
): Promise<{ desired: KubeObject[]; live: KubeObject[] }> {
  const desired: KubeObject[] = [];
  const live: KubeObject[] = [];
  for (const obj of objects) {
    const resource = await client.resourceFor(obj.apiVersion, obj.kind);
    const namespace = resource.namespaced ? (obj.metadata.namespace ?? defaultNamespace) : undefined;
    const copy: KubeObject = { ...obj, metadata: { ...obj.metadata } };
    if (namespace !== undefined) copy.metadata.namespace = namespace;
    else delete copy.metadata.namespace;
    desired.push(copy);
    try {
      live.push(
        await client.get({
          apiVersion: obj.apiVersion,
          kind: obj.kind,
          namespace,
          name: obj.metadata.name ?? '',
        }),
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return { desired, live };
}

/** Reads Argo CD ignoreDifferences rules: a YAML list, or a map holding `ignoreDifferences`. */
async function readIgnoreRules(file: string): Promise<IgnoreDifferencesRule[]> {
  const value = parseYaml(await readFile(file, 'utf8'));
  const list = isJsonObject(value) ? value.ignoreDifferences : value;
  if (!Array.isArray(list) || !list.every(isJsonObject)) {
    throw new ValidationError(`${file}: expected a list of ignoreDifferences rules`, { file });
  }
  return list as unknown as IgnoreDifferencesRule[];
}

function usageError(streams: CliStreams, message: string): number {
  streams.stderr.write(`Error: ${message}\n\n${DIFF_USAGE}`);
  return 2;
}
