// The `gitops-kit-operator` command. `crd` prints the CRD; `run` starts the operator; `app` is the
// argocd-style CLI over Application resources; `demo` runs everything in-process on testkit.
// Exit codes: 0 success, 1 runtime failure, 2 usage error.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { KubeClusterClient } from '@gitops-kit/cluster';
import { ValidationError } from '@gitops-kit/core';
import { runAppCommand } from './app-cli.js';
import { renderApplicationCrdYaml } from './crd.js';
import { runDemo } from './demo.js';
import { createLogger } from './logger.js';
import { startReferenceOperator } from './reference-operator.js';
import { parseShardAssignment } from './sharding.js';
import type { WebhookProvider } from './webhook.js';

const USAGE = `usage: gitops-kit-operator <command> [flags]

commands:
  crd                      print the Application CRD (kubectl apply -f -)
  app SUBCOMMAND           create|get|list|diff|sync|history|rollback|set|delete (app --help)
  demo [--exit-when-synced] [--port N]
                           testkit cluster + git server with examples/deploy-repo, the operator,
                           apps dev (automated) and prod (manual); prints the web view's URL
  run                      run the operator
    --kubeconfig PATH      kubeconfig (default: $KUBECONFIG, ~/.kube/config, in-cluster)
    --namespace NS         watch Applications in NS only (default: all namespaces)
    --shard-selector SEL   reconcile only Applications matching this label selector
    --shards N             shard by hash of namespace/name among N replicas (StatefulSet)
    --shard I              this replica's shard, 0..N-1 (default: POD_NAME's ordinal suffix)
    --lease-namespace NS   namespace of the leader-election Lease (default: $POD_NAMESPACE or default)
    --no-leader-elect      run as the only replica
    --leader-elect-lease-duration D    default 15s  (as client-go's flags)
    --leader-elect-renew-deadline D    default 10s
    --leader-elect-retry-period D      default 2s
    --port N               web view, probes, metrics and webhooks (default 8080)
    --bind-address ADDR    address to listen on (default 127.0.0.1; 0.0.0.0 in a Pod)
    --allowed-host NAME    a Host name the web view answers to besides localhost, 127.0.0.1,
                           [::1] and the bind address (repeatable; the Ingress' name)
    --secure-cookies       mark the web view's session cookie Secure (TLS ends at a proxy)
    --resync DURATION      poll interval of every source, e.g. 3m (default 3m)
    --log-level LEVEL      trace|debug|info|warn|error (default info)
    --shutdown-timeout D   longest wait for the Lease release at shutdown (default 10s)
    --git-cache-dir DIR    where SSH repositories are cloned (default $TMPDIR/gitops-kit-git)
    --ssh-command CMD      the ssh program for SSH repositories (default ssh)
    --ssh-known-hosts-configmap NAME   known hosts of SSH repositories (default gitops-kit-ssh-known-hosts)
    --health-customizations-dir DIR    Lua health checks as resource_customizations/<group>/<Kind>/health.lua
                           (the gitops-kit-cm ConfigMap's resource.customizations.health.* keys win)
    --max-cached-renders N most renders kept in memory, least recently used dropped (default 4096)
  webhook secrets are read from files named by GITOPS_KIT_WEBHOOK_{GITHUB,GITLAB,GITEA}_SECRET_FILE
`;

function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!m) throw new ValidationError(`"${text}" is not a duration such as 30s, 3m or 1h`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}

function countFlag(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new ValidationError(`${name} takes a whole number of at least 1, not "${text}"`);
  return n;
}

function durationFlag(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseDuration(text);
}

function webhookSecrets(): Partial<Record<WebhookProvider, string>> {
  const out: Partial<Record<WebhookProvider, string>> = {};
  for (const provider of ['github', 'gitlab', 'gitea'] as const) {
    const file = process.env[`GITOPS_KIT_WEBHOOK_${provider.toUpperCase()}_SECRET_FILE`];
    if (file) out[provider] = readFileSync(file, 'utf8').trim();
  }
  return out;
}

async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      kubeconfig: { type: 'string' },
      namespace: { type: 'string' },
      'shard-selector': { type: 'string' },
      shards: { type: 'string' },
      shard: { type: 'string' },
      'lease-namespace': { type: 'string' },
      'no-leader-elect': { type: 'boolean' },
      'leader-elect-lease-duration': { type: 'string' },
      'leader-elect-renew-deadline': { type: 'string' },
      'leader-elect-retry-period': { type: 'string' },
      port: { type: 'string' },
      'bind-address': { type: 'string' },
      'allowed-host': { type: 'string', multiple: true },
      'secure-cookies': { type: 'boolean' },
      resync: { type: 'string' },
      'log-level': { type: 'string' },
      'shutdown-timeout': { type: 'string' },
      'git-cache-dir': { type: 'string' },
      'ssh-command': { type: 'string' },
      'ssh-known-hosts-configmap': { type: 'string' },
      'health-customizations-dir': { type: 'string' },
      'max-cached-renders': { type: 'string' },
    },
    strict: true,
  });
  const shard = parseShardAssignment(values.shards, values.shard, process.env.POD_NAME);
  const log = createLogger({
    level: values['log-level'] ?? 'info',
    base: { component: 'gitops-kit-operator' },
  });
  const client = values.kubeconfig
    ? await KubeClusterClient.fromKubeconfigFile(values.kubeconfig)
    : await KubeClusterClient.fromDefault();
  const operator = await startReferenceOperator({
    client,
    // Cluster Secrets of remote destinations and repository Secrets live next to the operator.
    clusterSecretsNamespace: process.env.POD_NAMESPACE ?? values['lease-namespace'] ?? 'gitops-kit',
    identity: process.env.POD_NAME,
    namespace: values.namespace,
    labelSelector: values['shard-selector'],
    shard,
    leaderElection: values['no-leader-elect']
      ? false
      : {
          namespace: values['lease-namespace'] ?? process.env.POD_NAMESPACE ?? 'default',
          leaseDurationMs: durationFlag(values['leader-elect-lease-duration']),
          renewDeadlineMs: durationFlag(values['leader-elect-renew-deadline']),
          retryPeriodMs: durationFlag(values['leader-elect-retry-period']),
        },
    server: { port: values.port ? Number(values.port) : 8080, host: values['bind-address'] ?? '127.0.0.1' },
    allowedHosts: values['allowed-host'],
    secureCookies: values['secure-cookies'],
    webhookSecrets: webhookSecrets(),
    resyncPeriodMs: values.resync ? parseDuration(values.resync) : undefined,
    logger: log,
    shutdownTimeoutMs: durationFlag(values['shutdown-timeout']),
    gitCacheDir: values['git-cache-dir'],
    sshCommand: values['ssh-command'],
    knownHostsConfigMap: values['ssh-known-hosts-configmap'],
    healthCustomizationsDir: values['health-customizations-dir'],
    maxCachedRenders: countFlag('--max-cached-renders', values['max-cached-renders']),
    onLeadershipLost: () => process.exit(1),
  });
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'signal received');
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  // Kubernetes kills the Pod after its grace period anyway; exit first, saying why.
  const deadline = setTimeout(() => {
    log.error('shutdown took longer than 45s; exiting');
    log.flush();
    process.exit(1);
  }, 45_000);
  deadline.unref();
  await operator.stop();
  clearTimeout(deadline);
  client.close();
  log.flush();
  return 0;
}

/** Runs the command line; answers the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'crd':
        process.stdout.write(renderApplicationCrdYaml());
        return 0;
      case 'run':
        return await run(rest);
      case 'app':
        return await runAppCommand(rest);
      case 'demo':
        return await runDemo(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        process.stderr.write(`unknown command "${command}"\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    const usage =
      err instanceof ValidationError ||
      (err instanceof TypeError && (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true);
    process.stderr.write(`gitops-kit-operator: ${err instanceof Error ? err.message : String(err)}\n`);
    return usage ? 2 : 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // exitCode, not exit(): a pending write to a piped stdout (the CRD) must not be cut short.
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    // After `run`, requests to an unreachable API server may still be pending: do not wait for them.
    if (process.argv[2] === 'run' || process.argv[2] === 'demo' || process.argv[2] === 'app')
      process.exit(code);
  });
}
