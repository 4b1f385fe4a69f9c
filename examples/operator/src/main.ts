// The `gitops-kit-operator` command. `crd` prints the CRD; `run` starts the controller runtime with
// the reconcile available so far (spec validation); `app` (the argocd-style CLI) comes with the
// full reconcile. Exit codes: 0 success, 1 runtime failure, 2 usage error.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { KubeClusterClient } from '@gitops-kit/cluster';
import { renderApplicationCrdYaml } from './crd.js';
import { createLogger } from './logger.js';
import { Operator } from './operator.js';
import { validateApplication } from './validating-reconciler.js';
import type { WebhookProvider } from './webhook.js';

const USAGE = `usage: gitops-kit-operator <command> [flags]

commands:
  crd                      print the Application CRD (kubectl apply -f -)
  run                      run the operator
    --kubeconfig PATH      kubeconfig (default: $KUBECONFIG, ~/.kube/config, in-cluster)
    --namespace NS         watch Applications in NS only (default: all namespaces)
    --shard-selector SEL   reconcile only Applications matching this label selector
    --lease-namespace NS   namespace of the leader-election Lease (default: $POD_NAMESPACE or default)
    --no-leader-elect      run as the only replica
    --port N               probes, metrics and webhooks (default 8080)
    --resync DURATION      poll interval of every source, e.g. 3m (default 3m)
    --log-level LEVEL      trace|debug|info|warn|error (default info)
  webhook secrets are read from files named by GITOPS_KIT_WEBHOOK_{GITHUB,GITLAB,GITEA}_SECRET_FILE
`;

function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a duration such as 30s, 3m or 1h`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
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
      'lease-namespace': { type: 'string' },
      'no-leader-elect': { type: 'boolean' },
      port: { type: 'string' },
      resync: { type: 'string' },
      'log-level': { type: 'string' },
    },
    strict: true,
  });
  const log = createLogger({
    level: values['log-level'] ?? 'info',
    base: { component: 'gitops-kit-operator' },
  });
  const client = values.kubeconfig
    ? await KubeClusterClient.fromKubeconfigFile(values.kubeconfig)
    : await KubeClusterClient.fromDefault();
  const operator = new Operator({
    client,
    reconcile: validateApplication,
    identity: process.env.POD_NAME,
    namespace: values.namespace,
    labelSelector: values['shard-selector'],
    leaderElection: values['no-leader-elect']
      ? false
      : { namespace: values['lease-namespace'] ?? process.env.POD_NAMESPACE ?? 'default' },
    server: { port: values.port ? Number(values.port) : 8080 },
    webhookSecrets: webhookSecrets(),
    resyncPeriodMs: values.resync ? parseDuration(values.resync) : undefined,
    logger: log,
    onLeadershipLost: () => process.exit(1),
  });
  await operator.start();
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'signal received');
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await operator.stop();
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
        process.stderr.write(
          'gitops-kit-operator app: not available yet (it comes with the full reconcile)\n',
        );
        return 2;
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
    const usage = err instanceof TypeError && (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`gitops-kit-operator: ${err instanceof Error ? err.message : String(err)}\n`);
    return usage ? 2 : 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // exitCode, not exit(): a pending write to a piped stdout (the CRD) must not be cut short.
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
