import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import {
  GitOpsError,
  type JsonObject,
  NotFoundError,
  stringifyKubeYaml,
  ValidationError,
  type YamlValue,
} from '@gitops-kit/core';

/** Finds an executable on PATH, or undefined. */
export function findOnPath(command: string, path = process.env.PATH ?? ''): string | undefined {
  if (command.includes('/')) return existsSync(command) ? command : undefined;
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function isObj(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Runs `helm template` for one `helmCharts` entry as kustomize's HelmChartInflationGenerator does,
 * for a chart already present under the chart home (`helmGlobals.chartHome`, default `charts/`)
 * of a kustomization on the local disk. Pulling charts from a repository is not done: that needs
 * the network, which a renderer must not reach on its own.
 */
export function inflateHelmChart(
  chart: JsonObject,
  globals: JsonObject,
  kustomizationDir: string,
  file: string,
  helmCommand = 'helm',
): string {
  const helm = findOnPath(helmCommand);
  if (!helm) {
    throw new ValidationError(`helmCharts need a \`${helmCommand}\` binary on PATH, and none was found`, {
      file,
      code: 'UNSUPPORTED',
    });
  }
  const name = typeof chart.name === 'string' ? chart.name : '';
  if (!name) throw new ValidationError('a helmCharts entry needs a name', { file, path: 'helmCharts' });
  const chartHomeRel = typeof globals.chartHome === 'string' ? globals.chartHome : 'charts';
  const chartHome = isAbsolute(chartHomeRel) ? chartHomeRel : resolve(kustomizationDir, chartHomeRel);
  const version = typeof chart.version === 'string' ? chart.version : '';
  const candidates = [
    version ? join(chartHome, `${name}-${version}`, name) : '',
    join(chartHome, name),
  ].filter(Boolean);
  const chartDir = candidates.find((c) => existsSync(c));
  if (!chartDir) {
    throw new NotFoundError(
      `chart ${name}${version ? ` ${version}` : ''} is not under ${chartHomeRel}/; pulling charts from a repository is not supported`,
      { file, path: 'helmCharts' },
    );
  }
  const work = mkdtempSync(join(tmpdir(), 'gitops-kit-helm-'));
  try {
    const args = ['template'];
    const release = typeof chart.releaseName === 'string' && chart.releaseName ? chart.releaseName : '';
    if (release) args.push(release);
    else args.push('--generate-name');
    args.push(chartDir);
    if (typeof chart.namespace === 'string' && chart.namespace) args.push('--namespace', chart.namespace);
    if (typeof chart.nameTemplate === 'string' && chart.nameTemplate)
      args.push('--name-template', chart.nameTemplate);
    if (typeof chart.valuesFile === 'string' && chart.valuesFile)
      args.push('--values', resolve(kustomizationDir, chart.valuesFile));
    for (const f of Array.isArray(chart.additionalValuesFiles) ? chart.additionalValuesFiles : []) {
      if (typeof f === 'string') args.push('--values', resolve(kustomizationDir, f));
    }
    if (isObj(chart.valuesInline)) {
      const inline = join(work, 'values.yaml');
      writeFileSync(inline, stringifyKubeYaml(chart.valuesInline as YamlValue));
      args.push('--values', inline);
    }
    for (const v of Array.isArray(chart.apiVersions) ? chart.apiVersions : []) {
      if (typeof v === 'string') args.push('--api-versions', v);
    }
    if (typeof chart.kubeVersion === 'string' && chart.kubeVersion)
      args.push('--kube-version', chart.kubeVersion);
    if (chart.includeCRDs === true) args.push('--include-crds');
    if (chart.skipTests === true) args.push('--skip-tests');
    if (chart.skipHooks === true) args.push('--no-hooks');
    const home = typeof globals.configHome === 'string' && globals.configHome ? globals.configHome : work;
    try {
      return execFileSync(helm, args, {
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
        timeout: 120_000,
        env: {
          ...process.env,
          HELM_CONFIG_HOME: home,
          HELM_CACHE_HOME: join(home, '.cache'),
          HELM_DATA_HOME: join(home, '.data'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      const stderr = String((err as { stderr?: unknown }).stderr ?? '').trim();
      throw new GitOpsError(
        'RENDER_ERROR',
        `helm template ${name} failed: ${stderr || (err as Error).message}`,
        {
          file,
          path: 'helmCharts',
          cause: err,
        },
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
