// `gitops-kit-operator app …`: the argocd-style CLI working on Application resources through the
// Kubernetes API, as `argocd --core` does: no server of ours in between. Writes go to the
// resource (spec, or `operation` for sync/rollback) and the operator carries them out; `diff`
// renders the source locally and compares it with live objects, Secret values masked.
import { parseArgs } from 'node:util';
import { type ClusterClient, KubeClusterClient } from '@gitops-kit/cluster';
import {
  abortableSleep,
  isGitOpsError,
  type JsonObject,
  type KubeObject,
  stringifyKubeYaml,
  ValidationError,
} from '@gitops-kit/core';
import { diffMany, renderDiff } from '@gitops-kit/diff';
import { GitSource } from '@gitops-kit/git';
import { OciSource } from '@gitops-kit/oci';
import { loadLiveState } from '@gitops-kit/sync';
import { APP_USAGE, OPTIONS, specFromFlags, type Values } from './app-cli-flags.js';
import { parseApplication, trackingAppName } from './application.js';
import { APPLICATION_API_VERSION, APPLICATION_KIND, type ApplicationStatus } from './application-schema.js';
import { GENERATED_BY_LABEL, generatedByOf } from './applicationset/applications.js';
import { loadBuildInputs, renderWithBuildInputs } from './build-inputs.js';
import { durationMs, shortCommit, table } from './cli-format.js';
import { IN_CLUSTER_SERVER } from './cluster-registry.js';
import { dependencyKeys } from './dependencies.js';
import { RESOURCES_FINALIZER } from './finalizer.js';
import { describeOciRef } from './oci-application-source.js';
import { gitRefFor } from './target-revision.js';

/** Exit code of `app diff` when there are differences (as `argocd app diff`). */
export const EXIT_DIFFERENCES = 1;
/** Exit code of a failed operation or a missing Application. */
export const EXIT_FAILURE = 1;
/** Exit code of a usage error. */
export const EXIT_USAGE = 2;

/** Where the CLI writes, and how it gets its client (tests pass their own). */
export interface AppCliIO {
  /** Standard output. */
  stdout: { write(text: string): unknown; isTTY?: boolean | undefined };
  /** Standard error. */
  stderr: { write(text: string): unknown };
  /** The client; default from `--kubeconfig`, `$KUBECONFIG`, `~/.kube/config` or in-cluster. */
  client?: ClusterClient | undefined;
}

class AppCli {
  constructor(
    private readonly io: AppCliIO,
    private readonly client: ClusterClient,
    private readonly values: Values,
  ) {}

  private get namespace(): string {
    return this.values['app-namespace'] ?? 'default';
  }

  private ref(name: string) {
    return { apiVersion: APPLICATION_API_VERSION, kind: APPLICATION_KIND, namespace: this.namespace, name };
  }

  private out(text: string): void {
    this.io.stdout.write(text);
  }

  private print(value: unknown): boolean {
    const format = this.values.output;
    if (format === 'json') this.out(`${JSON.stringify(value, null, 2)}\n`);
    else if (format === 'yaml') this.out(stringifyKubeYaml(value as JsonObject));
    else return false;
    return true;
  }

  private async get(name: string): Promise<KubeObject> {
    return this.client.get(this.ref(name));
  }

  async create(name: string): Promise<number> {
    if (!this.values.repo || this.values.path === undefined)
      throw new ValidationError('create needs --repo and --path');
    const spec = specFromFlags(this.values, {
      project: 'default',
      destination: { server: IN_CLUSTER_SERVER },
    });
    const app: KubeObject = {
      apiVersion: APPLICATION_API_VERSION,
      kind: APPLICATION_KIND,
      metadata: { name, namespace: this.namespace },
      spec,
    };
    parseApplication(app);
    try {
      await this.client.create(app);
    } catch (err) {
      if (!(this.values.upsert && isGitOpsError(err, 'ALREADY_EXISTS'))) throw err;
      await this.client.patch(this.ref(name), 'merge', { spec });
    }
    this.out(`application '${name}' created\n`);
    return 0;
  }

  async set(name: string): Promise<number> {
    const app = await this.get(name);
    const spec = specFromFlags(this.values, (app.spec ?? {}) as JsonObject);
    parseApplication({ ...app, spec });
    await this.client.update({ ...app, spec });
    this.out(`application '${name}' updated\n`);
    return 0;
  }

  async show(name: string): Promise<number> {
    const app = await this.get(name);
    if (this.print(app)) return 0;
    const spec = (app.spec ?? {}) as {
      project?: string;
      source?: {
        repoURL?: string;
        targetRevision?: string;
        path?: string;
        oci?: { url?: string; ref?: { tag?: string; semver?: string; digest?: string } };
      };
      destination?: { server?: string; name?: string; namespace?: string };
      syncPolicy?: { automated?: { prune?: boolean; selfHeal?: boolean } };
    };
    const status = (app.status ?? {}) as ApplicationStatus;
    const automated = spec.syncPolicy?.automated;
    const policy = automated
      ? `Automated${automated.prune ? ' (Prune)' : ''}${automated.selfHeal ? ' (SelfHeal)' : ''}`
      : 'Manual';
    const field = (k: string, v: string | undefined) => `${`${k}:`.padEnd(20)}${v ?? ''}\n`;
    let text = '';
    text += field('Name', `${app.metadata.namespace}/${app.metadata.name}`);
    text += field('Project', spec.project ?? 'default');
    text += field('Server', spec.destination?.server ?? spec.destination?.name ?? IN_CLUSTER_SERVER);
    text += field('Namespace', spec.destination?.namespace);
    const oci = spec.source?.oci;
    text += field('Repo', oci ? oci.url : spec.source?.repoURL);
    text += field('Target', oci ? describeOciRef(oci.ref) : (spec.source?.targetRevision ?? 'HEAD'));
    text += field('Path', spec.source?.path);
    text += field('Sync Policy', policy);
    const sync = status.sync?.status ?? 'Unknown';
    const rev = status.sync?.revision
      ? ` ${sync === 'Synced' ? 'to' : 'from'} (${shortCommit(status.sync.revision)})`
      : '';
    text += field('Sync Status', `${sync}${rev}`);
    text += field('Health Status', status.health?.status ?? 'Unknown');
    const generatedBy = generatedByOf(app);
    if (generatedBy !== undefined) text += field('Generated By', `ApplicationSet ${generatedBy}`);
    const dependsOn = dependencyKeys(app);
    if (dependsOn.length > 0) {
      text += field('Depends On', dependsOn.join(', '));
      const waiting = (status.waitingFor ?? []).map(
        (w) => `${w.namespace}/${w.name} (${w.message ?? w.reason})`,
      );
      text += field('Waiting For', waiting.length > 0 ? waiting.join('; ') : 'nothing');
    }
    for (const c of status.conditions ?? [])
      if (c.status === 'True') text += field('Condition', `${c.type}: ${c.message ?? ''}`);
    const op = status.operationState;
    if (op) text += field('Last Operation', `${op.phase}${op.message ? `: ${op.message}` : ''}`);
    text += '\n';
    const rows = [['GROUP', 'KIND', 'NAMESPACE', 'NAME', 'STATUS', 'HEALTH', 'HOOK', 'MESSAGE']];
    for (const r of status.resources ?? []) {
      rows.push([
        r.group,
        r.kind,
        r.namespace ?? '',
        r.name,
        r.status + (r.requiresPruning ? ' (prune)' : ''),
        r.health?.status ?? '',
        '',
        r.health?.message ?? r.message ?? '',
      ]);
    }
    this.out(text + table(rows));
    return 0;
  }

  async list(): Promise<number> {
    const appSet = this.values.appset;
    const list = await this.client.listAll(APPLICATION_API_VERSION, APPLICATION_KIND, {
      namespace: this.values['app-namespace'],
      ...(appSet ? { labelSelector: `${GENERATED_BY_LABEL}=${appSet}` } : {}),
    });
    if (this.print(list.items)) return 0;
    const rows = [
      ['NAME', 'CLUSTER', 'NAMESPACE', 'PROJECT', 'STATUS', 'HEALTH', 'SYNCPOLICY', 'REPO', 'PATH', 'TARGET'],
    ];
    for (const app of list.items) {
      const spec = (app.spec ?? {}) as Record<string, Record<string, string> | string | undefined>;
      const status = (app.status ?? {}) as ApplicationStatus;
      const src = (spec.source ?? {}) as Record<string, string> & {
        oci?: { url?: string; ref?: { tag?: string; semver?: string; digest?: string } };
      };
      const dest = (spec.destination ?? {}) as Record<string, string>;
      rows.push([
        `${app.metadata.namespace}/${app.metadata.name}`,
        dest.server ?? dest.name ?? IN_CLUSTER_SERVER,
        dest.namespace ?? '',
        (spec.project as string | undefined) ?? 'default',
        status.sync?.status ?? 'Unknown',
        status.health?.status ?? 'Unknown',
        (spec.syncPolicy as Record<string, unknown> | undefined)?.automated ? 'Auto' : '<none>',
        src.oci?.url ?? src.repoURL ?? '',
        src.path ?? '',
        src.oci ? describeOciRef(src.oci.ref) : (src.targetRevision ?? 'HEAD'),
      ]);
    }
    this.out(table(rows));
    return 0;
  }

  async history(name: string): Promise<number> {
    const app = await this.get(name);
    const history = ((app.status ?? {}) as ApplicationStatus).history ?? [];
    if (this.print(history)) return 0;
    const rows = [['ID', 'DATE', 'REVISION']];
    for (const h of history)
      rows.push([String(h.id), h.deployedAt, `${h.source.path ?? ''} (${shortCommit(h.revision)})`]);
    this.out(table(rows));
    return 0;
  }

  async diff(name: string): Promise<number> {
    const app = parseApplication(await this.get(name));
    const oci = app.spec.source.oci;
    const source = oci
      ? new OciSource({ url: oci.url, ref: oci.ref, insecure: oci.insecure })
      : new GitSource({ url: app.spec.source.repoURL ?? '', ref: gitRefFor(app.spec.source.targetRevision) });
    try {
      const snapshot = await source.fetch();
      const inputs = await loadBuildInputs(this.client, this.namespace, app.spec);
      const rendered = await renderWithBuildInputs(snapshot.fs, app.spec.source, inputs);
      const defaultNamespace = app.spec.destination.namespace ?? 'default';
      const live = await loadLiveState(this.client, {
        app: trackingAppName(`${this.namespace}/${name}`),
        desired: rendered.objects,
        defaultNamespace,
      });
      const result = diffMany(
        { desired: rendered.objects, live },
        { defaultNamespace, ignoreDifferences: app.spec.ignoreDifferences ?? [] },
      );
      const changed = result.items.filter((i) => i.status !== 'unchanged');
      if (
        this.print(changed.map((i) => ({ key: i.key, status: i.status, changes: i.result?.changes ?? [] })))
      ) {
        return changed.length > 0 ? EXIT_DIFFERENCES : 0;
      }
      const color = this.values.color ?? (this.io.stdout.isTTY === true && !process.env.NO_COLOR);
      for (const item of changed) {
        const k = item.key;
        this.out(`===== ${k.group}/${k.kind} ${k.namespace}/${k.name} ======\n`);
        if (item.status === 'live-only') {
          this.out(`(not in ${shortCommit(snapshot.revision)}: pruned by a sync with prune)\n`);
          continue;
        }
        const text = item.result ? renderDiff(item.result) : (item.error?.message ?? '');
        for (const line of text.split('\n')) {
          if (!color || line === '') this.out(`${line}\n`);
          else if (line.startsWith('+') && !line.startsWith('+++')) this.out(`\x1b[32m${line}\x1b[0m\n`);
          else if (line.startsWith('-') && !line.startsWith('---')) this.out(`\x1b[31m${line}\x1b[0m\n`);
          else if (line.startsWith('@@')) this.out(`\x1b[36m${line}\x1b[0m\n`);
          else this.out(`${line}\n`);
        }
      }
      return changed.length > 0 ? EXIT_DIFFERENCES : 0;
    } finally {
      void source.close();
    }
  }

  private async operate(name: string, operation: JsonObject): Promise<number> {
    const app = await this.get(name);
    if (app.operation) throw new ValidationError(`an operation is already pending on '${name}'`);
    const before = JSON.stringify(((app.status ?? {}) as ApplicationStatus).operationState ?? null);
    await this.client.update({
      ...app,
      operation: { ...operation, initiatedBy: { username: process.env.USER ?? 'cli' } },
    } as KubeObject);
    if (this.values.async) {
      this.out(`operation requested on '${name}'\n`);
      return 0;
    }
    const deadline = Date.now() + durationMs(this.values.timeout, 300_000);
    let said = '';
    for (;;) {
      const current = await this.get(name);
      const status = (current.status ?? {}) as ApplicationStatus;
      const op = status.operationState;
      const line = current.operation ? 'Pending' : `${op?.phase ?? 'Unknown'}`;
      if (line !== said && !this.values.output) {
        this.io.stderr.write(`${new Date().toISOString()}  operation ${line}\n`);
        said = line;
      }
      // Done once the operator cleared the operation and wrote a new, finished operation state.
      if (!current.operation && op && op.phase !== 'Running' && JSON.stringify(op) !== before) {
        if (!this.print(op)) this.out(`${op.phase}: ${op.message ?? ''} (${shortCommit(op.revision)})\n`);
        return op.phase === 'Succeeded' ? 0 : EXIT_FAILURE;
      }
      if (Date.now() > deadline) {
        this.io.stderr.write(`timed out waiting for the operation on '${name}'\n`);
        return EXIT_FAILURE;
      }
      await abortableSleep(200);
    }
  }

  sync(name: string): Promise<number> {
    const sync: JsonObject = {};
    if (this.values.revision) sync.revision = this.values.revision;
    if (this.values.prune) sync.prune = true;
    if (this.values['dry-run']) sync.dryRun = true;
    return this.operate(name, { sync });
  }

  rollback(name: string, id: string | undefined): Promise<number> {
    if (id === undefined || !/^\d+$/.test(id)) throw new ValidationError('rollback needs a history ID');
    return this.operate(name, {
      rollback: { id: Number(id), ...(this.values.prune ? { prune: true } : {}) },
    });
  }

  async remove(name: string): Promise<number> {
    const cascade = this.values.cascade !== 'false';
    if (cascade) {
      const app = await this.get(name);
      const finalizers = app.metadata.finalizers ?? [];
      if (!finalizers.includes(RESOURCES_FINALIZER)) {
        await this.client.patch(this.ref(name), 'merge', {
          metadata: { finalizers: [...finalizers, RESOURCES_FINALIZER] },
        });
      }
    }
    await this.client.delete(this.ref(name));
    if (cascade && !this.values.async) {
      // Wait for the operator to delete the resources and release the Application.
      const deadline = Date.now() + durationMs(this.values.timeout, 300_000);
      for (;;) {
        try {
          await this.get(name);
        } catch (err) {
          if (isGitOpsError(err, 'NOT_FOUND')) break;
          throw err;
        }
        if (Date.now() > deadline) {
          this.io.stderr.write(`timed out waiting for the resources of '${name}' to be deleted\n`);
          return EXIT_FAILURE;
        }
        await abortableSleep(200);
      }
    }
    this.out(`application '${name}' deleted${cascade ? ' with its resources' : ''}\n`);
    return 0;
  }
}

/**
 * Runs `gitops-kit-operator app …` and answers the exit code: 0 success; 1 a failed operation, a
 * missing Application, or differences for `diff`; 2 a usage error.
 */
export async function runAppCommand(
  args: string[],
  io: AppCliIO = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n${APP_USAGE}`);
    return EXIT_USAGE;
  }
  const [command, name, extra] = parsed.positionals;
  if (parsed.values.help || command === undefined) {
    (parsed.values.help ? io.stdout : io.stderr).write(APP_USAGE);
    return parsed.values.help ? 0 : EXIT_USAGE;
  }
  if (parsed.values.output && !['json', 'yaml', 'wide'].includes(parsed.values.output)) {
    io.stderr.write(`--output is json, yaml or wide\n`);
    return EXIT_USAGE;
  }
  if (command !== 'list' && !name) {
    io.stderr.write(`app ${command} needs an application NAME\n${APP_USAGE}`);
    return EXIT_USAGE;
  }
  const owned = io.client === undefined;
  const client =
    io.client ??
    (parsed.values.kubeconfig
      ? await KubeClusterClient.fromKubeconfigFile(parsed.values.kubeconfig)
      : await KubeClusterClient.fromDefault());
  const cli = new AppCli(io, client, parsed.values);
  const n = name ?? '';
  try {
    switch (command) {
      case 'create':
        return await cli.create(n);
      case 'get':
        return await cli.show(n);
      case 'list':
        return await cli.list();
      case 'diff':
        return await cli.diff(n);
      case 'sync':
        return await cli.sync(n);
      case 'history':
        return await cli.history(n);
      case 'rollback':
        return await cli.rollback(n, extra);
      case 'set':
        return await cli.set(n);
      case 'delete':
        return await cli.remove(n);
      default:
        io.stderr.write(`unknown app command "${command}"\n${APP_USAGE}`);
        return EXIT_USAGE;
    }
  } catch (err) {
    io.stderr.write(
      `gitops-kit-operator app ${command}: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    return err instanceof ValidationError ? EXIT_USAGE : EXIT_FAILURE;
  } finally {
    if (owned) (client as KubeClusterClient).close();
  }
}
