import type { parseArgs } from 'node:util';
import { type JsonObject, ValidationError } from '@gitops-kit/core';

/** The usage text of `gitops-kit-operator app`. */
export const APP_USAGE = `usage: gitops-kit-operator app <command> [NAME] [flags]

commands:
  create NAME  --repo URL --path DIR [--revision REV] [--dest-server URL] [--dest-namespace NS]
               [--project P] [--sync-policy auto|none] [--prune] [--self-heal] [--sync-option K=V]... [--upsert]
               [--depends-on [NS/]APP]... (an empty value clears spec.dependsOn)
               [--decryption-secret NAME] (SOPS keys; empty clears) [--substitute VAR=VALUE]...
               [--substitute-from ConfigMap|Secret/NAME[:optional]]... (empty clears) [--strict-substitution]
  get NAME     [--output wide|json|yaml]
  list         [--output wide|json|yaml] [--appset NAME] (only the Applications NAME generated)
  diff NAME    exit 0 when in sync, 1 with differences
  sync NAME    [--revision REV] [--prune] [--dry-run] [--async] [--timeout 5m]
  history NAME [--output json|yaml]
  rollback NAME ID [--prune] [--async] [--timeout 5m]
  set NAME     [create's flags]
  delete NAME  [--cascade=false] (default: the operator deletes its resources first) [--async]
flags everywhere: --kubeconfig PATH, --app-namespace NS (default: default), --output json|yaml
exit codes: 0 success, 1 failure (operation failed, not found, differences for diff), 2 usage error
`;

/** The flags of `gitops-kit-operator app`, as `parseArgs` reads them. */
export const OPTIONS = {
  kubeconfig: { type: 'string' },
  'app-namespace': { type: 'string', short: 'N' },
  output: { type: 'string', short: 'o' },
  repo: { type: 'string' },
  path: { type: 'string' },
  revision: { type: 'string' },
  'dest-server': { type: 'string' },
  'dest-namespace': { type: 'string' },
  'dest-name': { type: 'string' },
  project: { type: 'string' },
  'sync-policy': { type: 'string' },
  prune: { type: 'boolean' },
  'self-heal': { type: 'boolean' },
  'allow-empty': { type: 'boolean' },
  'sync-option': { type: 'string', multiple: true },
  upsert: { type: 'boolean' },
  appset: { type: 'string' },
  'depends-on': { type: 'string', multiple: true },
  'decryption-secret': { type: 'string' },
  substitute: { type: 'string', multiple: true },
  'substitute-from': { type: 'string', multiple: true },
  'strict-substitution': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  async: { type: 'boolean' },
  timeout: { type: 'string' },
  color: { type: 'boolean' },
  cascade: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The parsed flag values. */
export type Values = ReturnType<
  typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>
>['values'];

/**
 * The Application spec `create` and `set` write: `base` (the current spec, or a new one) with the
 * flags given applied on top. Throws {@link ValidationError} for flags that do not go together.
 */
export function specFromFlags(values: Values, base: JsonObject): JsonObject {
  const v = values;
  const spec = structuredClone(base) as {
    project?: string;
    source?: Record<string, unknown>;
    destination?: Record<string, unknown>;
    syncPolicy?: Record<string, unknown>;
  };
  spec.source ??= {};
  spec.destination ??= {};
  if (v.project !== undefined) spec.project = v.project;
  if (v.repo !== undefined) spec.source.repoURL = v.repo;
  if (v.path !== undefined) spec.source.path = v.path;
  if (v.revision !== undefined) spec.source.targetRevision = v.revision;
  if (v['dest-server'] !== undefined) {
    spec.destination.server = v['dest-server'];
    delete spec.destination.name;
  }
  if (v['dest-name'] !== undefined) {
    spec.destination.name = v['dest-name'];
    delete spec.destination.server;
  }
  if (v['dest-namespace'] !== undefined) spec.destination.namespace = v['dest-namespace'];
  spec.syncPolicy ??= {};
  const policy = spec.syncPolicy;
  if (v['sync-policy'] !== undefined) {
    if (v['sync-policy'] === 'auto' || v['sync-policy'] === 'automated') policy.automated ??= {};
    else if (v['sync-policy'] === 'none' || v['sync-policy'] === 'manual') delete policy.automated;
    else throw new ValidationError(`--sync-policy is auto or none, not "${v['sync-policy']}"`);
  }
  const automated = policy.automated as Record<string, boolean> | undefined;
  if (automated) {
    if (v.prune !== undefined) automated.prune = v.prune;
    if (v['self-heal'] !== undefined) automated.selfHeal = v['self-heal'];
    if (v['allow-empty'] !== undefined) automated.allowEmpty = v['allow-empty'];
  } else if (v.prune || v['self-heal']) {
    throw new ValidationError('--prune and --self-heal need --sync-policy auto');
  }
  if (v['sync-option']) {
    const options = new Map(
      ((policy.syncOptions as string[] | undefined) ?? []).map((o) => [o.split('=')[0], o]),
    );
    for (const o of v['sync-option']) options.set(o.split('=')[0], o);
    policy.syncOptions = [...options.values()];
  }
  if (Object.keys(policy).length === 0) delete spec.syncPolicy;
  const dependsOn = v['depends-on'];
  if (dependsOn !== undefined) {
    const deps = dependsOn.filter((d) => d !== '').map(dependencyOfFlag);
    if (deps.length > 0) (spec as Record<string, unknown>).dependsOn = deps;
    else delete (spec as Record<string, unknown>).dependsOn;
  }
  applyBuildFlags(v, spec as JsonObject);
  return spec as JsonObject;
}

/** `--substitute-from Kind/NAME[:optional]` as a `spec.postBuild.substituteFrom` entry. */
function substituteFromFlag(text: string): JsonObject {
  const m = /^(ConfigMap|Secret)\/([^/:]+)(:optional)?$/.exec(text);
  if (!m)
    throw new ValidationError(`--substitute-from is ConfigMap/NAME or Secret/NAME[:optional], not "${text}"`);
  return { kind: m[1] as string, name: m[2] as string, ...(m[3] ? { optional: true } : {}) };
}

/** The flags of `spec.decryption` and `spec.postBuild`, applied to `spec` in place. */
function applyBuildFlags(v: Values, spec: JsonObject): void {
  const secret = v['decryption-secret'];
  if (secret === '') delete spec.decryption;
  else if (secret !== undefined) spec.decryption = { provider: 'sops', secretRef: { name: secret } };
  const postBuild = { ...((spec.postBuild as JsonObject | undefined) ?? {}) };
  for (const pair of v.substitute ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ValidationError(`--substitute is VAR=VALUE, not "${pair}"`);
    postBuild.substitute = {
      ...((postBuild.substitute as JsonObject | undefined) ?? {}),
      [pair.slice(0, eq)]: pair.slice(eq + 1),
    };
  }
  const from = v['substitute-from'];
  if (from !== undefined) {
    const refs = from.filter((f) => f !== '').map(substituteFromFlag);
    if (refs.length > 0) postBuild.substituteFrom = refs;
    else delete postBuild.substituteFrom;
  }
  if (v['strict-substitution'] !== undefined) postBuild.strict = v['strict-substitution'];
  if (Object.keys(postBuild).length > 0) spec.postBuild = postBuild;
  else delete spec.postBuild;
}

/** `--depends-on NAME` or `NS/NAME` as a `spec.dependsOn` entry. */
function dependencyOfFlag(text: string): { name: string; namespace?: string } {
  const parts = text.split('/');
  if (parts.length > 2 || parts.some((p) => p === ''))
    throw new ValidationError(`--depends-on is NAME or NAMESPACE/NAME, not "${text}"`);
  return parts.length === 2 ? { namespace: parts[0] as string, name: parts[1] as string } : { name: text };
}
