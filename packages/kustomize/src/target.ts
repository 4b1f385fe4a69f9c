/*
 * kustomize's KustTarget (api/internal/target/kusttarget.go): one kustomization tree accumulated
 * into resources, bases and components first, then its generators and transformers, then the
 * steps run once at the top. Its parts: kustomization-file.ts (the typed file), target-files.ts
 * (reads confined to the root), target-generators.ts, target-transformers.ts, target-patches.ts,
 * target-plugin-configs.ts and remote-loader.ts.
 */
import {
  GitOpsError,
  isGitOpsError,
  NotFoundError,
  type ReadonlyFileSystem,
  resolvePath,
  ValidationError,
} from '@gitops-kit/core';
import { contentHash } from './content-hash.js';
import { checkCrdDefinitions, configFromCrdDefinitions } from './crd-config.js';
import { namingFile } from './error-file.js';
import { refuseMissingMetadata } from './final-metadata.js';
import type { Kustomization } from './kustomization.js';
import { readKustomizationFile } from './kustomization-file.js';
import { KyamlSchemaChoice } from './kyaml-schema.js';
import { fixNameReferences } from './name-reference.js';
import { parseResources } from './parse-resources.js';
import { accumulateRemote, isRemote } from './remote-loader.js';
import type { RenderWarning } from './render-warning.js';
import { describeVar, resolveVars, type VarDef, varRefMatches } from './replacements.js';
import { idKey, type Resource } from './resource.js';
import {
  type Accumulator,
  newAccumulator,
  type TargetContext,
  type TargetKind,
  type TargetOptions,
} from './target-context.js';
import { TargetFiles } from './target-files.js';
import { inflateHelmCharts, runGenerators } from './target-generators.js';
import { runTransformers } from './target-transformers.js';
import {
  emptyTransformerConfig,
  makeTransformerConfig,
  mergeTransformerConfigs,
  parseTransformerConfig,
  type TransformerConfig,
} from './transformer-config.js';
import type { TransformContext } from './transformers.js';
import { refuseRepeatedIds } from './unique-ids.js';
import { readYamlDocuments } from './yaml-io.js';

/** Renders one kustomization directory (and everything it includes). */
export class KustTarget implements TargetContext {
  readonly warnings: RenderWarning[] = [];
  readonly ctx: TransformContext = { clusterScoped: new Set() };
  /** The schema strategic merges use: the built-in kinds, or a custom `openapi.path` schema. */
  readonly schemaChoice = new KyamlSchemaChoice();
  readonly files: TargetFiles;
  /** Directories being accumulated, to detect cycles. */
  private readonly stack: string[] = [];

  constructor(
    readonly fs: ReadonlyFileSystem,
    readonly options: TargetOptions,
  ) {
    this.files = new TargetFiles(fs, options);
  }

  /** A path as errors and sources show it: relative to the display root. */
  display(path: string): string {
    return this.files.display(path);
  }

  /** Finds and reads the kustomization file of `dir` (its warnings join the render's). */
  async loadKustomization(dir: string): Promise<{ kust: Kustomization; file: string }> {
    const { kust, file, warnings } = await readKustomizationFile(this.files, dir);
    this.warnings.push(...warnings);
    return { kust, file };
  }

  /** A target for a remote resource's file system, its paths shown relative to `displayRoot`. */
  remoteTarget(fs: ReadonlyFileSystem, displayRoot: string): KustTarget {
    return new KustTarget(fs, { ...this.options, displayRoot });
  }

  /** Appends resources, refusing an id that is already there. */
  append(acc: Accumulator, list: readonly Resource[]): void {
    const index = new Set<string>();
    for (const r of acc.resources) index.add(idKey(r.curId(), this.ctx.clusterScoped));
    for (const r of list) {
      const key = idKey(r.curId(), this.ctx.clusterScoped);
      if (index.has(key)) {
        const id = r.curId();
        throw new ValidationError(
          `may not add resource with an already registered id: ${id.group ? `${id.group}_` : ''}${id.version}_${id.kind}|${id.namespace || '~X'}|${id.name}`,
          { file: r.source.file, line: r.source.line, code: 'DUPLICATE_RESOURCE' },
        );
      }
      index.add(key);
      acc.resources.push(r);
      this.schemaChoice.touchKind(r.obj.apiVersion, r.obj.kind);
    }
  }

  /** Appends a sub-kustomization's resources, vars and configuration. */
  mergeSub(acc: Accumulator, sub: Accumulator): void {
    this.append(acc, sub.resources);
    for (const v of sub.vars) {
      if (acc.vars.some((x) => x.name === v.name)) {
        throw new ValidationError(`var '${v.name}' already encountered`);
      }
      acc.vars.push(v);
    }
    acc.config = mergeTransformerConfigs(acc.config, sub.config);
  }

  /** Accumulates the kustomization (or component) in `dir` into `acc`. */
  async accumulate(dir: string, acc: Accumulator, expect: TargetKind): Promise<Accumulator> {
    if (this.stack.includes(dir)) {
      throw new ValidationError(
        `cycle detected: ${[...this.stack, dir].map((d) => this.display(d)).join(' -> ')}`,
        {
          file: this.display(dir),
          code: 'CYCLE_DETECTED',
        },
      );
    }
    this.stack.push(dir);
    try {
      return await this.accumulateTarget(dir, acc, expect);
    } finally {
      this.stack.pop();
    }
  }

  /** kustomize's accumulateTarget: resources, configuration, generators, components, transformers, vars. */
  private async accumulateTarget(dir: string, acc: Accumulator, expect: TargetKind): Promise<Accumulator> {
    const { kust, file } = await this.loadKustomization(dir);
    const kfile = this.display(file);
    const kind = kust.kind ?? 'Kustomization';
    // The kustomization being built may itself be a Component.
    if (kind !== expect && !(this.stack.length === 1 && kind === 'Component')) {
      throw new ValidationError(
        expect === 'Component'
          ? `accumulating components: expected kind 'Component' for path '${dir}' but got '${kind}'`
          : `expected kind '${expect}' for path '${dir}' but got '${kind}'`,
        { file: kfile },
      );
    }
    if (kust.helmCharts.length > 0 && !this.options.enableHelm) {
      throw new ValidationError('must specify --enable-helm to use helmCharts', {
        file: kfile,
        code: 'UNSUPPORTED',
      });
    }
    await this.checkOpenApi(dir, kust, kfile, this.stack.length === 1);
    for (const entry of kust.resources) await this.accumulateResource(dir, entry, acc, kfile);
    await this.addConfiguration(dir, kust, acc, kfile);
    // Generators run before components, components before transformers (kustomize PR 5170).
    await runGenerators(this, dir, kust, acc, kfile);
    // Helm charts inflate into resources, as kustomize's HelmChartInflationGenerator.
    inflateHelmCharts(this, dir, kust, acc, kfile);
    for (const c of kust.components) {
      // As for resources: a `..` out of the source is a PATH_ESCAPE, not a NOT_FOUND of a clamped path.
      const cdir = resolvePath(this.fs, c, dir);
      await this.files.requireDirectory(cdir, c, kfile, 'components');
      await this.accumulate(cdir, acc, 'Component');
      // kustomize then moves the component's accumulator into a fresh one: its configuration is
      // merged into an empty one, which drops each field spec that selects one sorted before it;
      // its objects are appended to a fresh map, where an id that repeats is refused.
      acc.config = mergeTransformerConfigs(emptyTransformerConfig(), acc.config);
      refuseRepeatedIds(acc.resources, this.ctx.clusterScoped, { file: kfile, path: 'components' });
    }
    // Transformers use every configuration gathered so far: bases', components' and this one's.
    try {
      await runTransformers(this, dir, kust, acc, acc.config, kfile);
    } catch (err) {
      throw namingFile(err, kfile);
    }
    if (kust.validators.length > 0) {
      throw new ValidationError('validators are plugins and are not enabled', {
        file: kfile,
        code: 'UNSUPPORTED',
      });
    }
    this.addVars(kust, acc, kfile);
    return acc;
  }

  /**
   * kustomize's accumulateTarget: this kustomization's configuration (the defaults, or the
   * `configurations` merged into them), then its `crds`, join what the resources brought.
   */
  private async addConfiguration(dir: string, kust: Kustomization, acc: Accumulator, kfile: string) {
    const custom: Partial<TransformerConfig>[] = [];
    for (const c of kust.configurations) {
      const { abs, text } = await this.files.readFileInRoot(dir, c);
      for (const d of readYamlDocuments(text, this.display(abs), 'configuration'))
        custom.push(parseTransformerConfig(d.value));
    }
    let crds = emptyTransformerConfig();
    for (const c of kust.crds) {
      const { abs, text } = await this.files.readFileInRoot(dir, c);
      for (const d of readYamlDocuments(text, this.display(abs), 'schema')) {
        checkCrdDefinitions(d.value, this.display(abs));
        crds = mergeTransformerConfigs(crds, configFromCrdDefinitions(d.value));
      }
    }
    try {
      acc.config = mergeTransformerConfigs(acc.config, makeTransformerConfig(custom));
      acc.config = mergeTransformerConfigs(acc.config, crds);
    } catch (err) {
      throw namingFile(err, kfile);
    }
  }

  /** `vars`: each bound to the one object it names, where it is declared. */
  private addVars(kust: Kustomization, acc: Accumulator, kfile: string): void {
    // kustomize's message lists the kustomization's vars as declared.
    const declared = kust.vars
      .map((v) => describeVar({ name: v.name, objref: v.objref, fieldpath: v.fieldPath }, true))
      .join(' ');
    for (const v of kust.vars) {
      const name = v.name;
      const existing = acc.vars.find((x) => x.name === name);
      if (existing) {
        throw new ValidationError(`var '${name}' already encountered`, { file: kfile, path: 'vars' });
      }
      const def: VarDef = { name, objref: v.objref, fieldpath: v.fieldPath, file: kfile };
      // A var binds to its object where it is declared, before overlays add look-alikes.
      const matches = acc.resources.filter((r) => varRefMatches(def, r));
      if (matches.length > 1) {
        throw new ValidationError(
          `merging vars [${declared}]: found ${matches.length} resId matches for var ${describeVar(def)} (unable to disambiguate)`,
          {
            file: kfile,
            path: 'vars',
          },
        );
      }
      def.target = matches[0];
      acc.vars.push(def);
    }
  }

  private async checkOpenApi(
    dir: string,
    kust: Kustomization,
    kfile: string,
    isRoot: boolean,
  ): Promise<void> {
    const openapi = kust.openapi;
    let custom: { doc: unknown } | undefined;
    if (typeof openapi.path === 'string') {
      const { abs, text } = await this.files.readFileInRoot(dir, openapi.path);
      custom = { doc: readYamlDocuments(text, this.display(abs), 'schema')[0]?.value };
    }
    this.schemaChoice.set({ custom, version: openapi.version }, isRoot, kfile);
  }

  /** One `resources` entry: a remote one, a directory (a kustomization of its own) or a file. */
  private async accumulateResource(
    dir: string,
    entry: string,
    acc: Accumulator,
    kfile: string,
  ): Promise<void> {
    if (isRemote(entry)) return accumulateRemote(this, entry, acc, kfile);
    const abs = resolvePath(this.fs, entry, dir);
    let type: string;
    try {
      type = (await this.fs.stat(abs)).type;
    } catch (err) {
      if (err instanceof NotFoundError) {
        throw new NotFoundError(`accumulating resources: '${abs}': no such file or directory`, {
          file: kfile,
          path: 'resources',
          cause: err,
        });
      }
      throw err;
    }
    if (type === 'directory') {
      let subAcc: Accumulator;
      try {
        subAcc = await this.accumulate(abs, newAccumulator(), 'Kustomization');
      } catch (err) {
        if (isGitOpsError(err)) throw err;
        throw new GitOpsError(
          'RENDER_ERROR',
          `accumulating resources from '${entry}': ${(err as Error).message}`,
          {
            file: kfile,
            cause: err,
          },
        );
      }
      this.mergeSub(acc, subAcc);
      return;
    }
    const { abs: file, text } = await this.files.readFileInRoot(dir, entry);
    this.append(acc, parseResources(text, this.display(file)));
  }

  /** The steps kustomize runs once, at the top: hash suffixes, name references, vars. */
  finish(acc: Accumulator): void {
    for (const r of acc.resources) {
      if (!r.needsHash) continue;
      const hash = contentHash(r.obj);
      r.rememberId();
      r.name = `${r.name}-${hash}`;
    }
    fixNameReferences(acc.resources, acc.config.nameReference, this.ctx.clusterScoped);
    resolveVars(acc.resources, acc.vars, acc.config.varReference);
    // kustomize drops local-config objects by rebuilding the map from the others (IgnoreLocal),
    // reading each object's kind and name first.
    refuseMissingMetadata(acc.resources);
    refuseRepeatedIds(
      acc.resources.filter((r) => !isLocalConfig(r)),
      this.ctx.clusterScoped,
    );
  }
}

function isLocalConfig(r: Resource): boolean {
  const ann = r.metadata.annotations;
  return (
    typeof ann === 'object' &&
    ann !== null &&
    !Array.isArray(ann) &&
    String(ann['config.kubernetes.io/local-config']) === 'true'
  );
}
