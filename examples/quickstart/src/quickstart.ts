import { countOf, describeObjectKey, ValidationError } from '@gitops-kit/core';
import { GitSource } from '@gitops-kit/git';
import { renderKustomization } from '@gitops-kit/kustomize';
import { compareApplication, planFromCluster, runSync, type SyncResult } from '@gitops-kit/sync';
import { startGitServer, startTestCluster } from '@gitops-kit/testkit';
import { type AppSummary, formatAppSummary } from './app-summary.js';
import { readSeedFiles } from './seed-files.js';

/** Options of {@link runQuickstart}. */
export interface QuickstartOptions {
  /** Where progress and summaries go (default: stdout). */
  log?: (line: string) => void;
  /** The overlay to deploy (default `dev`). */
  overlay?: string;
  /** The image tag the second commit sets (default `1.27.4`). */
  newTag?: string;
}

/** What the quick start did, for tests and scripts. */
export interface QuickstartReport {
  first: { summary: AppSummary; result: SyncResult };
  second: { summary: AppSummary; result: SyncResult; changed: string[] };
}

const APP = 'web-dev';

/**
 * The whole pipeline on the embedded default: a git server holding the sample repository, a
 * testkit cluster, then fetch → render → plan (diff) → sync → wait for health → report, and the same
 * again after CI commits a new image tag.
 */
export async function runQuickstart(options: QuickstartOptions = {}): Promise<QuickstartReport> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const overlay = options.overlay ?? 'dev';
  const newTag = options.newTag ?? '1.27.4';

  const git = await startGitServer();
  const cluster = await startTestCluster({ controllers: { podReadyDelayMs: 300 } });
  try {
    const repo = await git.createRepository('deploy');
    const seed = await readSeedFiles();
    await repo.commit({ files: seed, message: 'Initial layout: base, dev, prod' });
    const source = new GitSource({ url: repo.url, ref: { branch: 'main' } });
    log(`git server ${git.url}, cluster ${cluster.url}`);

    const syncOnce = async () => {
      const snapshot = await source.fetch();
      const rendered = await renderKustomization(snapshot.fs, `/${overlay}`);
      // An integer beyond 2^53 would be synced rounded: a failed render, nothing synced or pruned.
      const inexact = rendered.warnings.find((w) => w.code === 'INEXACT_INTEGER');
      if (inexact) {
        throw new ValidationError(
          'an integer beyond 2^53 cannot be synced exactly (JavaScript numbers hold integers exactly only up to 2^53)',
          { code: 'INEXACT_INTEGER', file: inexact.file, line: inexact.line, path: inexact.field },
        );
      }
      const plan = await planFromCluster(cluster.client, rendered.objects, { app: APP });
      const run = runSync(plan, cluster.client, { prune: true, wait: true, createNamespace: true });
      for await (const event of run) {
        if (event.type === 'applied' && event.operation !== 'none') {
          log(`  ${event.operation.padEnd(10)} ${describeObjectKey(event.key)}`);
        } else if (event.type === 'pruned') {
          log(`  pruned     ${describeObjectKey(event.key)}`);
        }
      }
      const result = await run.result;
      // The application's status as `argocd app get` shows it, from the live objects after the sync.
      const comparison = await compareApplication({
        desired: rendered.objects,
        cluster: cluster.client,
        trackingId: APP,
      });
      const summary: AppSummary = {
        name: APP,
        repo: repo.url,
        path: overlay,
        targetRevision: 'main',
        revision: snapshot.revision,
        ...comparison,
      };
      return { summary, result };
    };

    log(`\n$ sync ${APP} (${overlay} overlay of ${repo.url})`);
    const first = await syncOnce();
    log(`\n${formatAppSummary(first.summary)}`);

    log(`$ CI commits image tag ${newTag} to ${overlay}/kustomization.yaml, then sync`);
    const kustomization = seed[`${overlay}/kustomization.yaml`] ?? '';
    await repo.commit({
      files: {
        [`${overlay}/kustomization.yaml`]: kustomization.replace(/newTag: .*/, `newTag: "${newTag}"`),
      },
      message: `ci: deploy nginx ${newTag}`,
    });
    const second = await syncOnce();
    const changed = second.result.resources
      .filter((r) => r.operation !== 'none')
      .map((r) => `${r.operation} ${describeObjectKey(r.key)}`);
    log(
      `\nSync Status:   ${second.summary.sync} to (${second.summary.revision.replace(/^.*sha1:/, '').slice(0, 7)})`,
    );
    log(`Health Status: ${second.summary.health.status}`);
    log(
      `Changed:       ${changed.length === 0 ? 'nothing' : changed.join(', ')} (${countOf(second.result.writes, 'write')})`,
    );
    await source.close();
    return { first, second: { ...second, changed } };
  } finally {
    await cluster.stop();
    await git.stop();
  }
}
