import type { KubeClusterClient } from '@gitops-kit/cluster';
import { abortableSleep, type KubeObject } from '@gitops-kit/core';
import { type ApplicationComparisonResult, compareApplication } from '@gitops-kit/sync';
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
import { formatStatus, statusLine } from './status-format.js';

/** Help text of `gitops-kit status`. */
export const STATUS_USAGE = `Usage: gitops-kit status [DIR] --app NAME [flags]

Render the kustomization in DIR and compare it with the live objects of application NAME (those
carrying its tracking id, and the live counterpart of each rendered object), as Argo CD does: each
resource Synced or OutOfSync (to create, to update, or only live: to prune) with its health, the
application Synced only when every resource is, and its health aggregated. A render that fails
makes sync Unknown. Without DIR, only the live objects of NAME are read: their health, and sync
Unknown (it needs the rendered objects). Secret values are never shown.

Exit status: 0 Synced and Healthy (without DIR: Healthy); 1 anything else (with --wait: not so
before the timeout); 2 an error (a usage error, an unreachable cluster).

Flags:
      --app NAME                 The application (its tracking id) (required)
      --wait, --watch            Poll until the application is Synced and Healthy, printing each change,
                                 as \`kubectl wait\`; give up after --timeout
      --timeout DURATION         How long --wait waits (default 5m; 30s, 1h30m)
      --interval DURATION        How often --wait polls (default 2s)
      --kubeconfig FILE          The kubeconfig (default: $KUBECONFIG, else ~/.kube/config)
      --context NAME             The kubeconfig context (default: its current context)
  -n, --namespace NS             The namespace of objects that name none (default: the context's)
  -o, --output FORMAT            text (default), json, yaml or markdown
      --root DIR                 No file outside DIR is read (default: the git work tree holding DIR)
  -h, --help                     Show this help
`;

const FLAGS = {
  ...KUBE_FLAGS,
  app: { type: 'string' },
  wait: { type: 'boolean' },
  watch: { type: 'boolean' },
  timeout: { type: 'string' },
  interval: { type: 'string' },
  root: { type: 'string' },
} as const;

const syncedAndHealthy = (s: ApplicationComparisonResult) =>
  s.sync === 'Synced' && s.health.status === 'Healthy';

/** The message of the Unknown sync status when no DIR was given. */
const NO_DIR = 'no DIR given: sync status needs the rendered objects';

/** Runs `gitops-kit status` and returns its exit code: 0 Synced and Healthy, 1 not, 2 an error. */
export async function runStatus(
  args: readonly string[],
  streams: CliStreams,
  environment: CliEnvironment = processEnvironment(),
): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let dir: string | undefined;
  let timeoutMs: number;
  let intervalMs: number;
  try {
    const parsed = parseFlags(args, FLAGS);
    values = parsed.values;
    if (values.help) {
      streams.stdout.write(STATUS_USAGE);
      return 0;
    }
    if (typeof values.app !== 'string' || values.app === '') throw new UsageError('flag --app is required');
    if (parsed.positionals.length > 1)
      throw new UsageError('specify at most one path to a kustomization directory');
    dir = parsed.positionals[0];
    timeoutMs = parseDuration(typeof values.timeout === 'string' ? values.timeout : '5m');
    intervalMs = parseDuration(typeof values.interval === 'string' ? values.interval : '2s', '--interval');
  } catch (err) {
    if (err instanceof UsageError) return usageError(streams, err.message, STATUS_USAGE);
    throw err;
  }
  const format = (values.output ?? 'text') as OutputFormat;
  const app = values.app as string;
  let client: KubeClusterClient | undefined;
  try {
    let desired: KubeObject[] | undefined;
    let renderError: unknown;
    if (dir === undefined) renderError = new Error(NO_DIR);
    else
      try {
        const rendered = await renderDir(dir, { root: values.root as string | undefined });
        desired = rendered.objects;
      } catch (err) {
        renderError = err;
      }
    // Without DIR there is no sync status to wait for: health alone decides, and an app none of
    // whose objects is live is not there at all.
    const done =
      dir === undefined
        ? (s: ApplicationComparisonResult) => s.resources.length > 0 && s.health.status === 'Healthy'
        : syncedAndHealthy;
    const goal = dir === undefined ? 'Healthy' : 'Synced and Healthy';
    client = await openCluster(values, environment);
    const cluster = client;
    const compare = () =>
      compareApplication({
        desired,
        renderError,
        cluster,
        trackingId: app,
        defaultNamespace: cluster.defaultNamespace,
      });
    let status = await compare();
    if (values.wait || values.watch) {
      const deadline = Date.now() + timeoutMs;
      let last = statusLine(app, status);
      streams.stderr.write(`${last}\n`);
      while (!done(status) && (dir === undefined || renderError === undefined) && Date.now() < deadline) {
        await abortableSleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
        status = await compare();
        const line = statusLine(app, status);
        if (line !== last) streams.stderr.write(`${line}\n`);
        last = line;
      }
      streams.stdout.write(formatStatus(app, status, format));
      if (!done(status)) {
        const why =
          dir !== undefined && renderError !== undefined
            ? 'the render failed'
            : status.resources.length === 0
              ? `no live object carries its tracking id (waited ${values.timeout ?? '5m'})`
              : `timed out after ${values.timeout ?? '5m'}`;
        streams.stderr.write(
          `Error: ${app} is not ${goal}: ${why} (${status.sync}, ${status.health.status})\n`,
        );
        return 1;
      }
      return 0;
    }
    streams.stdout.write(formatStatus(app, status, format));
    return done(status) ? 0 : 1;
  } catch (err) {
    return reportError(streams, err, 2);
  } finally {
    client?.close();
  }
}
