/*
 * The generators of a kustomization, as kustomize runs them before its components and
 * transformers: `configMapGenerator`, `secretGenerator`, the builtin generator plugins a
 * `generators` entry configures, and `helmCharts`.
 */
import { type JsonObject, ValidationError } from '@gitops-kit/core';
import { GeneratedObjectIndex } from './generator-merge.js';
import { type GeneratorArgs, generate } from './generators.js';
import { inflateHelmChart } from './helm-charts.js';
import type { Kustomization } from './kustomization.js';
import { parseResources } from './parse-resources.js';
import { Resource } from './resource.js';
import type { Accumulator, TargetContext } from './target-context.js';
import { loadPluginConfigs, refusePlugin } from './target-plugin-configs.js';

function isObj(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Runs `configMapGenerator`, `secretGenerator` and the `generators` entries, then merges what they
 * made into `acc` (a generated object with `behavior: merge|replace` lands on the one it names).
 */
export async function runGenerators(
  t: TargetContext,
  dir: string,
  kust: Kustomization,
  acc: Accumulator,
  kfile: string,
): Promise<void> {
  const globalOptions = kust.generatorOptions;
  const read = (p: string) => t.files.readBytesInRoot(dir, p);
  const generated: { r: Resource; path: string }[] = [];
  for (const g of kust.configMapGenerator) {
    const r = await generate('ConfigMap', g, globalOptions, read, kfile);
    r.generatedBy = { configuredIn: kfile, kind: 'ConfigMapGenerator' };
    generated.push({ r, path: 'configMapGenerator' });
  }
  for (const g of kust.secretGenerator) {
    const r = await generate('Secret', g, globalOptions, read, kfile);
    r.generatedBy = { configuredIn: kfile, kind: 'SecretGenerator' };
    generated.push({ r, path: 'secretGenerator' });
  }
  for (const entry of kust.generators) {
    for (const { obj: cfg, file: cfgFile } of await loadPluginConfigs(t, dir, entry, kfile)) {
      generated.push({ r: await runGeneratorConfig(t, cfg, cfgFile, read, kfile), path: 'generators' });
    }
  }
  if (generated.length === 0) return;
  const index = new GeneratedObjectIndex(acc.resources, t.ctx.clusterScoped);
  for (const { r, path } of generated) index.absorb(r, { file: kfile, path });
}

/** One builtin generator plugin configuration; any other generator plugin is refused. */
async function runGeneratorConfig(
  t: TargetContext,
  cfg: JsonObject,
  cfgFile: string,
  read: (path: string) => Promise<Uint8Array>,
  kfile: string,
): Promise<Resource> {
  const kind = String(cfg.kind ?? '');
  if (kind === 'ConfigMapGenerator' || kind === 'SecretGenerator') {
    const meta = isObj(cfg.metadata) ? cfg.metadata : {};
    const args = {
      ...(cfg as unknown as GeneratorArgs),
      // The config's own metadata names the plugin; the generated object is `name`.
      name: (cfg.name as string) ?? meta.name,
      namespace: (cfg.namespace as string) ?? meta.namespace,
    } as GeneratorArgs;
    const r = await generate(
      kind === 'ConfigMapGenerator' ? 'ConfigMap' : 'Secret',
      args,
      undefined,
      read,
      kfile,
    );
    r.generatedBy = {
      configuredIn: cfgFile,
      kind,
      name: typeof meta.name === 'string' ? meta.name : undefined,
    };
    return r;
  }
  if (
    kind === 'IAMPolicyGenerator' &&
    (cfg.apiVersion === 'builtin' || String(cfg.apiVersion).startsWith('builtin/'))
  ) {
    return iamServiceAccount(cfg, kfile);
  }
  return refusePlugin(t, cfg, kfile, 'generator');
}

/** kustomize's builtin IAMPolicyGenerator: a ServiceAccount bound to a GKE service account. */
function iamServiceAccount(cfg: JsonObject, kfile: string): Resource {
  const ks = isObj(cfg.kubernetesService) ? cfg.kubernetesService : {};
  const sa = isObj(cfg.serviceAccount) ? cfg.serviceAccount : {};
  if (cfg.cloud !== 'gke')
    throw new ValidationError(`IAMPolicyGenerator: unsupported cloud ${String(cfg.cloud)}`, { file: kfile });
  const metadata: JsonObject = {
    name: String(ks.name ?? ''),
    annotations: {
      'iam.gke.io/gcp-service-account': `${String(sa.name ?? '')}@${String(sa.projectId ?? '')}.iam.gserviceaccount.com`,
    },
  };
  if (typeof ks.namespace === 'string' && ks.namespace) metadata.namespace = ks.namespace;
  return new Resource({ apiVersion: 'v1', kind: 'ServiceAccount', metadata }, { file: kfile, line: 1 });
}

/** `helmCharts`: each chart inflated into resources, as kustomize's HelmChartInflationGenerator. */
export function inflateHelmCharts(
  t: TargetContext,
  dir: string,
  kust: Kustomization,
  acc: Accumulator,
  kfile: string,
): void {
  for (const chart of kust.helmCharts) {
    const text = inflateHelmChart(chart, kust.helmGlobals, dir, kfile, t.options.helmCommand);
    t.append(acc, parseResources(text, kfile));
  }
}
