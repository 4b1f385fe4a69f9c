import type { KubeClusterClient } from '@gitops-kit/cluster';
import { stringifyKubeYaml, type YamlValue } from '@gitops-kit/core';
import { formatSyncEvent, planFromCluster, readHookInfo, runSync, type SyncPlan } from '@gitops-kit/sync';
import { formatApplyMarkdown } from './apply-format.js';
import {
  type CliEnvironment,
  KUBE_FLAGS,
  type OutputFormat,
  openCluster,
  parseFlags,
  processEnvironment,
  reportError,
  UsageError,
  usageError,
} from './cli-env.js';
import type { CliStreams } from './cli-streams.js';
import { parseDuration } from './duration.js';
import { renderDir } from './render-dir.js';

/** Help text of `gitops-kit apply`. */
export const APPLY_USAGE = `Usage: gitops-kit apply DIR --app NAME [flags]

Render the kustomization in DIR, as \`gitops-kit build\` does, then plan and run a sync with
@gitops-kit/sync: every object written carries the tracking id of NAME; objects are applied in
order (phases, waves, Namespaces and CRDs first, kinds as Argo CD orders them); progress is printed
as \`kubectl apply\` prints it. Nothing is written when the render fails; nothing is pruned after an
empty render; only objects tracked by NAME are ever pruned or overwritten.

Exit status: 0 every object applied (and healthy, with --wait); 1 the sync failed, was stopped, or
left a desired object untouched (owned by another app, or untracked without --adopt); 2 nothing
could be planned (a usage error, a render error, an unreachable cluster).

Flags:
      --app NAME                 The application: its tracking id is written on every object (required)
      --prune                    Delete the objects tracked by NAME that DIR no longer renders
      --dry-run[=server]         Send every write as a server dry run: nothing is changed
      --server-side              Server-side apply (field manager gitops-kit; conflicts are taken over);
                                 default: client-side apply with the last-applied annotation, as kubectl
      --adopt                    Take over live objects that carry no tracking id
      --create-namespace         Create the namespaces the objects live in when missing
      --wait                     Wait for each wave's objects to be healthy before the next, and at the end
      --timeout DURATION         The longest wait, for health, a hook or a CRD (default 5m; 30s, 1h30m)
      --kubeconfig FILE          The kubeconfig (default: $KUBECONFIG, else ~/.kube/config)
      --context NAME             The kubeconfig context (default: its current context)
  -n, --namespace NS             The namespace of objects that name none (default: the context's)
  -o, --output FORMAT            text (default: progress lines), json, yaml or markdown (the result;
                                 progress then goes to stderr)
      --root DIR                 No file outside DIR is read (default: the git work tree holding DIR)
  -h, --help                     Show this help
`;

const FLAGS = {
  ...KUBE_FLAGS,
  app: { type: 'string' },
  prune: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  'server-side': { type: 'boolean' },
  adopt: { type: 'boolean' },
  'create-namespace': { type: 'boolean' },
  wait: { type: 'boolean' },
  timeout: { type: 'string' },
  root: { type: 'string' },
} as const;

/** kubectl's `--dry-run=server` / `--dry-run=none` spellings, as the boolean flag. */
function normaliseDryRun(args: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    if (a === '--dry-run=server') out.push('--dry-run');
    else if (a === '--dry-run=none') continue;
    else if (a.startsWith('--dry-run='))
      throw new UsageError(`invalid ${a}: only a server dry run is offered (--dry-run or --dry-run=server)`);
    else out.push(a);
  }
  return out;
}

/** Desired objects the plan leaves alone on purpose that are not hooks: owned elsewhere, or untracked. */
function untouched(plan: SyncPlan): string[] {
  return plan.tasks
    .filter((t) => t.action === 'skip' && t.desired !== undefined && t.live !== undefined)
    .filter((t) => t.desired !== undefined && readHookInfo(t.desired).kind !== 'skip')
    .map((t) => `${t.key.kind}/${t.key.namespace ? `${t.key.namespace}/` : ''}${t.key.name}: ${t.reason}`);
}

/** Runs `gitops-kit apply` and returns its exit code: 0 done, 1 not done, 2 nothing planned. */
export async function runApply(
  args: readonly string[],
  streams: CliStreams,
  environment: CliEnvironment = processEnvironment(),
): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let dir: string;
  let timeoutMs: number;
  try {
    const parsed = parseFlags(normaliseDryRun(args), FLAGS);
    values = parsed.values;
    if (values.help) {
      streams.stdout.write(APPLY_USAGE);
      return 0;
    }
    if (typeof values.app !== 'string' || values.app === '') throw new UsageError('flag --app is required');
    if (parsed.positionals.length !== 1)
      throw new UsageError('specify one path to a kustomization directory');
    dir = parsed.positionals[0] as string;
    timeoutMs = parseDuration(typeof values.timeout === 'string' ? values.timeout : '5m');
  } catch (err) {
    if (err instanceof UsageError) return usageError(streams, err.message, APPLY_USAGE);
    throw err;
  }
  const format = (values.output ?? 'text') as OutputFormat;
  const app = values.app as string;
  const progress = format === 'text' ? streams.stdout : streams.stderr;
  let client: KubeClusterClient | undefined;
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const rendered = await renderDir(dir, { root: values.root as string | undefined });
    for (const w of rendered.warnings)
      if (w.code !== 'INEXACT_INTEGER') streams.stderr.write(`# Warning: ${w.message}\n`);
    if (rendered.objects.length === 0) {
      if (values.prune)
        throw new UsageError(`${dir} renders no objects: refusing to prune after an empty render`);
      progress.write(`${dir} renders no objects: nothing to apply\n`);
      return 0;
    }
    client = await openCluster(values, environment);
    const serverSideApply = values['server-side'] === true;
    const plan = await planFromCluster(client, rendered.objects, {
      app,
      defaultNamespace: client.defaultNamespace,
      serverSideApply,
      adopt: values.adopt === true,
      signal: controller.signal,
    });
    for (const w of plan.warnings) streams.stderr.write(`# Warning: ${w}\n`);
    const sync = runSync(plan, client, {
      dryRun: values['dry-run'] === true,
      prune: values.prune === true,
      serverSideApply,
      createNamespace: values['create-namespace'] === true,
      wait: values.wait === true,
      timeoutMs,
      signal: controller.signal,
    });
    for await (const event of sync) {
      const line = formatSyncEvent(event);
      if (line !== undefined) progress.write(`${line}\n`);
    }
    const result = await sync.result;
    const notApplied = untouched(plan);
    for (const n of notApplied) streams.stderr.write(`Error: not applied: ${n}\n`);
    if (format === 'json') streams.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else if (format === 'yaml') streams.stdout.write(stringifyKubeYaml(result as unknown as YamlValue));
    else if (format === 'markdown') streams.stdout.write(formatApplyMarkdown(result));
    return result.phase === 'Succeeded' && notApplied.length === 0 ? 0 : 1;
  } catch (err) {
    if (err instanceof UsageError) return reportError(streams, err, 2);
    return reportError(streams, err, 2);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    client?.close();
  }
}
