import { posix } from 'node:path';
import {
  GitOpsError,
  isGitOpsError,
  type JsonObject,
  type JsonValue,
  NotFoundError,
  ParseError,
  PatchError,
  type ReadonlyFileSystem,
  RootConfinedResolver,
  readTextFile,
  resolvePath,
  SecurityError,
  ValidationError,
} from '@gitops-kit/core';
import { applyKustomizePatch } from '@gitops-kit/patch';
import { annotationTextsOf } from './annotation-texts.js';
import { contentHash } from './content-hash.js';
import { checkCrdDefinitions, configFromCrdDefinitions } from './crd-config.js';
import { isEmptyValue } from './empty-values.js';
import { namingFile } from './error-file.js';
import type { FieldSpec } from './field-spec.js';
import { GeneratedObjectIndex } from './generator-merge.js';
import { type GeneratorArgs, type GeneratorOptions, generate } from './generators.js';
import { inflateHelmChart } from './helm-charts.js';
import type { InputBudget } from './input-budget.js';
import { addInternalAnnotations, removeInternalAnnotations } from './internal-annotations.js';
import { applyJsonPatchOps, type JsonPatchOp, roundBigIntegersThroughJson } from './json-patch.js';
import {
  checkKustomization,
  KUSTOMIZATION_FILE_NAMES,
  type RenderWarning,
  topLevelKeyLine,
} from './kustomization-file.js';
import { KyamlSchemaChoice } from './kyaml-schema.js';
import { fixNameReferences } from './name-reference.js';
import { readPatchDocuments } from './patch-text.js';
import { bigIntegerFieldsOf, mayHoldBigInteger, stringifyExact } from './plain-objects.js';
import { applyReplacements, resolveVars, type VarDef, varRefMatches } from './replacements.js';
import { idKey, type RemoteSource, Resource, redactUserInfo, sameId } from './resource.js';
import { patchTargetMatches, type ResourceSelector } from './selectors.js';
import {
  ConflictingFieldSpecsError,
  emptyTransformerConfig,
  makeTransformerConfig,
  mergeFieldSpecs,
  mergeTransformerConfigs,
  parseTransformerConfig,
  type TransformerConfig,
} from './transformer-config.js';
import {
  addMapEntries,
  addNamePrefixSuffix,
  type ImageSpec,
  setImages,
  setNamespace,
  setReplicas,
  type TransformContext,
} from './transformers.js';
import { refuseRepeatedIds } from './unique-ids.js';
import { syncAliases } from './value-aliases.js';
import { readYamlDocuments } from './yaml-io.js';

/** What a remote loader returns for a git URL: a file system, the path in it, and the revision. */
export interface RemoteTarget {
  fs: ReadonlyFileSystem;
  path: string;
  revision: string;
}

/** Fetches a remote (git URL) resource; without one, git URLs are an error. */
export type RemoteLoader = (url: string) => Promise<RemoteTarget>;

/** Options of a render. */
export interface TargetOptions {
  loadRestrictor: 'RootOnly' | 'None';
  remoteLoader?: RemoteLoader | undefined;
  enableHelm: boolean;
  helmCommand: string;
  enableAlphaPlugins: boolean;
  maxFileBytes: number;
  /** Counts the bytes the render reads against `maxInputBytes` (none: no limit). */
  inputBudget?: InputBudget | undefined;
  /** Shown in file names of sources and errors: paths are made relative to this directory. */
  displayRoot: string;
}

/** Resources and bookkeeping accumulated while rendering a kustomization tree. */
export interface Accumulator {
  resources: Resource[];
  vars: VarDef[];
  config: TransformerConfig;
}

function isObj(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isRemote(path: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(path) ||
    path.startsWith('git@') ||
    /^(github\.com|gitlab\.com|bitbucket\.org)\//.test(path) ||
    path.includes('?ref=') ||
    path.includes('.git//')
  );
}

/** Renders one kustomization directory (and everything it includes). */
export class KustTarget {
  readonly warnings: RenderWarning[] = [];
  private readonly ctx: TransformContext = { clusterScoped: new Set() };
  /** Directories being accumulated, to detect cycles. */
  private readonly stack: string[] = [];

  constructor(
    private readonly fs: ReadonlyFileSystem,
    private readonly options: TargetOptions,
  ) {}

  display(path: string): string {
    const rel = posix.relative(this.options.displayRoot, path);
    return rel === '' ? '.' : rel;
  }

  private async readFileInRoot(dir: string, path: string): Promise<{ abs: string; text: string }> {
    const abs = posix.isAbsolute(path) ? posix.normalize(path) : posix.join(dir, path);
    if (this.options.loadRestrictor === 'RootOnly') {
      const resolver = new RootConfinedResolver(this.fs, dir);
      try {
        await resolver.resolve(posix.relative(dir, abs) || '.');
      } catch (err) {
        if (err instanceof SecurityError) {
          throw new SecurityError(`security; file '${abs}' is not in or below '${dir}'`, {
            file: this.display(abs),
            code: err.code as 'PATH_ESCAPE',
            cause: err,
          });
        }
        throw err;
      }
    }
    const bytes = await this.readBytesInRoot(dir, path, false);
    return { abs, text: new TextDecoder('utf-8').decode(bytes) };
  }

  private async readBytesInRoot(dir: string, path: string, check = true): Promise<Uint8Array> {
    const abs = posix.isAbsolute(path) ? posix.normalize(path) : posix.join(dir, path);
    if (check && this.options.loadRestrictor === 'RootOnly') {
      const resolver = new RootConfinedResolver(this.fs, dir);
      try {
        await resolver.resolve(posix.relative(dir, abs) || '.');
      } catch (err) {
        if (err instanceof SecurityError) {
          throw new SecurityError(`security; file '${abs}' is not in or below '${dir}'`, {
            file: this.display(abs),
            code: err.code as 'PATH_ESCAPE',
          });
        }
        throw err;
      }
    }
    let info: { size: number; type: string };
    try {
      info = await this.fs.stat(abs);
    } catch (err) {
      if (err instanceof NotFoundError) {
        throw new NotFoundError(`'${abs}': no such file or directory`, {
          file: this.display(abs),
          cause: err,
        });
      }
      throw err;
    }
    if (info.size > this.options.maxFileBytes) {
      throw new ParseError(
        `file is ${info.size} bytes, over the limit of ${this.options.maxFileBytes} bytes`,
        {
          file: this.display(abs),
          code: 'LIMIT_EXCEEDED',
        },
      );
    }
    this.options.inputBudget?.take(info.size, this.display(abs));
    return this.fs.readFile(abs);
  }

  /** Finds and parses the kustomization file of `dir`. */
  async loadKustomization(dir: string): Promise<{ kust: JsonObject; file: string }> {
    const found: string[] = [];
    for (const name of KUSTOMIZATION_FILE_NAMES) {
      const p = posix.join(dir, name);
      try {
        const st = await this.fs.stat(p);
        if (st.type === 'file') found.push(p);
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
    }
    if (found.length === 0) {
      throw new NotFoundError(
        `unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '${dir}'`,
        { file: this.display(dir) },
      );
    }
    if (found.length > 1) {
      throw new ValidationError(`Found multiple kustomization files under: ${dir}`, {
        file: this.display(dir),
      });
    }
    const file = found[0] as string;
    // Read as kustomize's loader reads it: under RootOnly, a kustomization file that is a symlink
    // out of its directory is refused (`security; file … is not in or below …`), as kubectl does.
    const { text } = await this.readFileInRoot(dir, posix.basename(file));
    const docs = readYamlDocuments(text, this.display(file), 'kustomization');
    if (docs.length > 1)
      throw new ValidationError('a kustomization file must hold one document', { file: this.display(file) });
    const doc = docs[0];
    const { kust, warnings } = checkKustomization(
      doc?.value ?? {},
      this.display(file),
      (field) => topLevelKeyLine(text, field) ?? doc?.positionOf([field])?.line,
    );
    this.warnings.push(...warnings);
    return { kust, file };
  }

  /** Parses a YAML file or inline text into resources (a `List` expands to its items). */
  parseResources(text: string, file: string): Resource[] {
    const out: Resource[] = [];
    const big = mayHoldBigInteger(text);
    for (const doc of readYamlDocuments(text, file)) {
      if (doc.value === null || doc.value === undefined) continue;
      if (!isObj(doc.value)) throw new ValidationError('a resource must be a map', { file, line: doc.line });
      const obj = doc.value;
      if (typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items)) {
        obj.items.forEach((item, i) => {
          if (!isObj(item)) return;
          const r = this.checkResource(item, file, doc.line);
          if (big) r.bigIntegers = bigIntegerFieldsOf(doc, item, ['items', i]);
          out.push(r);
        });
        continue;
      }
      const r = this.checkResource(obj, file, doc.line);
      if (big) r.bigIntegers = bigIntegerFieldsOf(doc, obj);
      // (List items reach kustomize through JSON: their annotations keep no text of their own.)
      r.annotationTexts = annotationTextsOf(text, doc, obj);
      out.push(r);
    }
    return out;
  }

  private checkResource(obj: JsonObject, file: string, line: number): Resource {
    if (typeof obj.kind !== 'string' || obj.kind === '') {
      throw new ValidationError(`missing Resource metadata: kind is required`, { file, line, path: 'kind' });
    }
    if (
      !isObj(obj.metadata) ||
      (typeof obj.metadata.name !== 'string' && typeof obj.metadata.generateName !== 'string')
    ) {
      throw new ValidationError(`missing metadata.name in object ${obj.kind}`, {
        file,
        line,
        path: 'metadata.name',
      });
    }
    return new Resource(obj, { file, line });
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

  /** Accumulates the kustomization (or component) in `dir` into `acc`. */
  async accumulate(
    dir: string,
    acc: Accumulator,
    expect: 'Kustomization' | 'Component',
  ): Promise<Accumulator> {
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
      return await this.accumulateInner(dir, acc, expect);
    } finally {
      this.stack.pop();
    }
  }

  private async accumulateInner(
    dir: string,
    acc: Accumulator,
    expect: 'Kustomization' | 'Component',
  ): Promise<Accumulator> {
    const { kust, file } = await this.loadKustomization(dir);
    const kfile = this.display(file);
    const kind = typeof kust.kind === 'string' && kust.kind !== '' ? kust.kind : 'Kustomization';
    // The kustomization being built may itself be a Component.
    if (kind !== expect && !(this.stack.length === 1 && kind === 'Component')) {
      throw new ValidationError(
        expect === 'Component'
          ? `accumulating components: expected kind 'Component' for path '${dir}' but got '${kind}'`
          : `expected kind '${expect}' for path '${dir}' but got '${kind}'`,
        { file: kfile },
      );
    }
    const helmCharts = [
      ...(Array.isArray(kust.helmCharts) ? kust.helmCharts : []),
      ...(Array.isArray(kust.helmChartInflationGenerator) ? kust.helmChartInflationGenerator : []),
    ].filter(isObj);
    if (helmCharts.length > 0 && !this.options.enableHelm) {
      throw new ValidationError('must specify --enable-helm to use helmCharts', {
        file: kfile,
        code: 'UNSUPPORTED',
      });
    }
    await this.checkOpenApi(dir, kust, kfile, this.stack.length === 1);
    // Resources and bases.
    const entries = [
      ...((kust.resources as string[] | undefined) ?? []),
      ...((kust.bases as string[] | undefined) ?? []),
    ];
    for (const entry of entries) {
      await this.accumulateResource(dir, String(entry), acc, kfile);
    }
    // kustomize's accumulateTarget: this kustomization's configuration (the defaults, or the
    // `configurations` merged into them), then its `crds`, join what the resources brought.
    const custom: Partial<TransformerConfig>[] = [];
    for (const c of (kust.configurations as string[] | undefined) ?? []) {
      const { abs, text } = await this.readFileInRoot(dir, String(c));
      for (const d of readYamlDocuments(text, this.display(abs), 'configuration'))
        custom.push(parseTransformerConfig(d.value));
    }
    let crds = emptyTransformerConfig();
    for (const c of (kust.crds as string[] | undefined) ?? []) {
      const { abs, text } = await this.readFileInRoot(dir, String(c));
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
    // Generators run before components, components before transformers (kustomize PR 5170).
    await this.runGenerators(dir, kust, acc, kfile);
    // Helm charts inflate into resources, as kustomize's HelmChartInflationGenerator.
    for (const chart of helmCharts) {
      const globals = isObj(kust.helmGlobals) ? kust.helmGlobals : {};
      const text = inflateHelmChart(chart, globals, dir, kfile, this.options.helmCommand);
      this.append(acc, this.parseResources(text, kfile));
    }
    for (const c of (kust.components as string[] | undefined) ?? []) {
      // As for resources: a `..` out of the source is a PATH_ESCAPE, not a NOT_FOUND of a clamped path.
      const cdir = resolvePath(this.fs, String(c), dir);
      await this.requireDirectory(cdir, String(c), kfile, 'components');
      await this.accumulate(cdir, acc, 'Component');
      // kustomize then moves the component's accumulator into a fresh one: its configuration is
      // merged into an empty one, which drops each field spec that selects one sorted before it;
      // its objects are appended to a fresh map, where an id that repeats is refused.
      acc.config = mergeTransformerConfigs(emptyTransformerConfig(), acc.config);
      refuseRepeatedIds(acc.resources, this.ctx.clusterScoped, { file: kfile, path: 'components' });
    }
    // Transformers use every configuration gathered so far: bases', components' and this one's.
    try {
      await this.runTransformers(dir, kust, acc, acc.config, kfile);
    } catch (err) {
      throw namingFile(err, kfile);
    }
    if (Array.isArray(kust.validators) && kust.validators.length > 0) {
      throw new ValidationError('validators are plugins and are not enabled', {
        file: kfile,
        code: 'UNSUPPORTED',
      });
    }
    for (const v of (kust.vars as JsonValue[] | undefined) ?? []) {
      if (!isObj(v)) continue;
      const name = String(v.name ?? '');
      const existing = acc.vars.find((x) => x.name === name);
      if (existing) {
        throw new ValidationError(`var '${name}' already encountered`, { file: kfile, path: 'vars' });
      }
      const def: VarDef = {
        name,
        objref: (isObj(v.objref) ? v.objref : {}) as JsonObject,
        fieldpath: isObj(v.fieldref) && typeof v.fieldref.fieldPath === 'string' ? v.fieldref.fieldPath : '',
      };
      // A var binds to its object where it is declared, before overlays add look-alikes.
      const matches = acc.resources.filter((r) => varRefMatches(def, r));
      if (matches.length > 1) {
        throw new ValidationError(
          `found ${matches.length} resId matches for var ${name} (unable to disambiguate)`,
          {
            file: kfile,
            path: 'vars',
          },
        );
      }
      def.target = matches[0];
      acc.vars.push(def);
    }
    return acc;
  }

  private async checkOpenApi(dir: string, kust: JsonObject, kfile: string, isRoot: boolean): Promise<void> {
    const openapi = kust.openapi ?? {};
    if (!isObj(openapi))
      throw new ValidationError('invalid Kustomization: openapi must be a map', { file: kfile });
    let custom: { doc: unknown } | undefined;
    if (typeof openapi.path === 'string') {
      const { abs, text } = await this.readFileInRoot(dir, openapi.path);
      custom = { doc: readYamlDocuments(text, this.display(abs), 'schema')[0]?.value };
    }
    this.schemaChoice.set({ custom, version: openapi.version }, isRoot, kfile);
  }

  /** The schema strategic merges use: the built-in kinds, or a custom `openapi.path` schema. */
  private readonly schemaChoice = new KyamlSchemaChoice();

  private async requireDirectory(abs: string, entry: string, kfile: string, what: string): Promise<void> {
    try {
      const st = await this.fs.stat(abs);
      if (st.type !== 'directory')
        throw new ValidationError(`accumulating ${what}: '${entry}' is not a directory`, { file: kfile });
    } catch (err) {
      if (err instanceof NotFoundError) {
        throw new NotFoundError(`accumulating ${what}: '${abs}' does not exist`, { file: kfile, cause: err });
      }
      throw err;
    }
  }

  private async accumulateResource(
    dir: string,
    entry: string,
    acc: Accumulator,
    kfile: string,
  ): Promise<void> {
    if (isRemote(entry)) {
      if (!this.options.remoteLoader) {
        throw new ValidationError(`accumulating resources: remote resource ${entry} needs a remote loader`, {
          file: kfile,
          code: 'UNSUPPORTED',
        });
      }
      const remote = await this.options.remoteLoader(entry);
      const sub = new KustTarget(remote.fs, { ...this.options, displayRoot: remote.path });
      const st = await remote.fs.stat(remote.path);
      // A source's `file` is relative to the remote directory: say which repository and revision.
      const from: RemoteSource = { url: redactUserInfo(entry), revision: remote.revision };
      if (remote.fs.origin !== undefined) from.origin = remote.fs.origin;
      const tag = (resources: Resource[]): Resource[] => {
        for (const r of resources)
          if (r.source.remote === undefined) r.source = { ...r.source, remote: from };
        return resources;
      };
      if (st.type === 'directory') {
        const subAcc = await sub.accumulate(remote.path, newAccumulator(), 'Kustomization');
        tag(subAcc.resources);
        this.mergeSub(acc, subAcc);
      } else {
        this.options.inputBudget?.take((await remote.fs.stat(remote.path)).size, entry);
        const text = await readTextFile(remote.fs, remote.path, { maxBytes: this.options.maxFileBytes });
        this.append(acc, tag(sub.parseResources(text, from.url)));
      }
      this.warnings.push(...sub.warnings);
      return;
    }
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
    const { abs: file, text } = await this.readFileInRoot(dir, entry);
    this.append(acc, this.parseResources(text, this.display(file)));
  }

  private mergeSub(acc: Accumulator, sub: Accumulator): void {
    this.append(acc, sub.resources);
    for (const v of sub.vars) {
      if (acc.vars.some((x) => x.name === v.name)) {
        throw new ValidationError(`var '${v.name}' already encountered`);
      }
      acc.vars.push(v);
    }
    acc.config = mergeTransformerConfigs(acc.config, sub.config);
  }

  private async runGenerators(dir: string, kust: JsonObject, acc: Accumulator, kfile: string): Promise<void> {
    const globalOptions = (kust.generatorOptions ?? undefined) as GeneratorOptions | undefined;
    const read = (p: string) => this.readBytesInRoot(dir, p);
    const generated: { r: Resource; path: string }[] = [];
    for (const g of (kust.configMapGenerator as GeneratorArgs[] | undefined) ?? []) {
      const r = await generate('ConfigMap', g, globalOptions, read, kfile);
      r.generatedBy = { configuredIn: kfile, kind: 'ConfigMapGenerator' };
      generated.push({ r, path: 'configMapGenerator' });
    }
    for (const g of (kust.secretGenerator as GeneratorArgs[] | undefined) ?? []) {
      const r = await generate('Secret', g, globalOptions, read, kfile);
      r.generatedBy = { configuredIn: kfile, kind: 'SecretGenerator' };
      generated.push({ r, path: 'secretGenerator' });
    }
    for (const entry of (kust.generators as string[] | undefined) ?? []) {
      for (const { obj: cfg, file: cfgFile } of await this.loadPluginConfigs(dir, String(entry), kfile)) {
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
          generated.push({ r, path: 'generators' });
        } else if (
          kind === 'IAMPolicyGenerator' &&
          (cfg.apiVersion === 'builtin' || String(cfg.apiVersion).startsWith('builtin/'))
        ) {
          generated.push({ r: iamServiceAccount(cfg, kfile), path: 'generators' });
        } else {
          this.refusePlugin(cfg, kfile, 'generator');
        }
      }
    }
    if (generated.length === 0) return;
    const index = new GeneratedObjectIndex(acc.resources, this.ctx.clusterScoped);
    for (const { r, path } of generated) index.absorb(r, { file: kfile, path });
  }

  private refusePlugin(cfg: JsonObject, kfile: string, what: string): never {
    const api = String(cfg.apiVersion ?? '');
    const meta = isObj(cfg.metadata) ? cfg.metadata : {};
    const annotations = isObj(meta.annotations) ? meta.annotations : {};
    const isFn = 'config.kubernetes.io/function' in annotations || 'config.k8s.io/function' in annotations;
    if (!this.options.enableAlphaPlugins) {
      throw new ValidationError(
        `external ${what} plugin ${api}/${String(cfg.kind)} refused: plugins (exec, Go and KRM functions) are not enabled${isFn ? '' : ''}`,
        { file: kfile, code: 'UNSUPPORTED' },
      );
    }
    throw new ValidationError(
      `external ${what} plugin ${api}/${String(cfg.kind)} is not supported by this renderer`,
      {
        file: kfile,
        code: 'UNSUPPORTED',
      },
    );
  }

  /** Loads plugin configurations named by a `generators`/`transformers` entry: a file, inline YAML, or a kustomization. */
  private async loadPluginConfigs(
    dir: string,
    entry: string,
    kfile: string,
  ): Promise<{ obj: JsonObject; file: string }[]> {
    if (entry.includes('\n') || /^\s*(apiVersion|kind):/.test(entry)) {
      return this.parseResources(entry, kfile).map((r) => ({ obj: r.obj, file: kfile }));
    }
    const abs = posix.isAbsolute(entry) ? posix.normalize(entry) : posix.join(dir, entry);
    let type: string;
    try {
      type = (await this.fs.stat(abs)).type;
    } catch (err) {
      if (err instanceof NotFoundError)
        throw new NotFoundError(`'${abs}': no such file or directory`, { file: kfile, cause: err });
      throw err;
    }
    if (type === 'directory') {
      const sub = await this.accumulate(abs, newAccumulator(), 'Kustomization');
      return sub.resources.map((r) => ({ obj: r.obj, file: r.source.file }));
    }
    const { abs: file, text } = await this.readFileInRoot(dir, entry);
    return this.parseResources(text, this.display(file)).map((r) => ({ obj: r.obj, file: r.source.file }));
  }

  private async loadPatchText(dir: string, entry: string): Promise<{ text: string; file: string }> {
    const trimmed = entry.trim();
    if (
      trimmed.includes('\n') ||
      trimmed.startsWith('{') ||
      trimmed.startsWith('[') ||
      /^(apiVersion|kind|metadata|-)\b/.test(trimmed)
    ) {
      return { text: entry, file: '<inline patch>' };
    }
    const { abs, text } = await this.readFileInRoot(dir, trimmed);
    return { text, file: this.display(abs) };
  }

  private async runTransformers(
    dir: string,
    kust: JsonObject,
    acc: Accumulator,
    config: TransformerConfig,
    kfile: string,
  ): Promise<void> {
    const res = acc.resources;
    const trackAnnotations =
      Array.isArray(kust.buildMetadata) &&
      (kust.buildMetadata as JsonValue[]).includes('transformerAnnotations');
    // With buildMetadata transformerAnnotations, record which builtin transformer changed what.
    const track = (kind: string, run: () => void): void => {
      if (!trackAnnotations) {
        run();
        return;
      }
      const before = acc.resources.map((r) => stringifyExact(r.obj));
      const list = acc.resources.slice();
      run();
      list.forEach((r, i) => {
        if (stringifyExact(r.obj) !== before[i]) r.transformations.push({ configuredIn: kfile, kind });
      });
    };
    // patchesStrategicMerge
    for (const p of (kust.patchesStrategicMerge as string[] | undefined) ?? []) {
      const { text, file } = await this.loadPatchText(dir, String(p));
      const docs = readYamlDocuments(text, file, 'patch').filter(
        (d) => d.value !== null && d.value !== undefined,
      );
      if (docs.length === 0) throw new PatchError('patch appears to be empty', { file });
      for (const doc of docs) {
        if (!isObj(doc.value)) continue;
        this.applySmpViaResMap(acc, doc.value, file, kfile, 'patchesStrategicMerge');
      }
    }
    // patches
    for (const p of (kust.patches as JsonValue[] | undefined) ?? []) {
      if (!isObj(p)) continue;
      await this.applyPatchEntry(dir, acc, p, kfile);
    }
    const ns = typeof kust.namespace === 'string' ? kust.namespace : '';
    if (ns)
      track('NamespaceTransformer', () =>
        setNamespace(acc.resources, { namespace: ns, fieldSpecs: config.namespace }, this.ctx),
      );
    const prefix = typeof kust.namePrefix === 'string' ? kust.namePrefix : '';
    const suffix = typeof kust.nameSuffix === 'string' ? kust.nameSuffix : '';
    if (prefix)
      track('PrefixTransformer', () => addNamePrefixSuffix(acc.resources, prefix, '', config.namePrefix));
    if (suffix)
      track('SuffixTransformer', () => addNamePrefixSuffix(acc.resources, '', suffix, config.nameSuffix));
    for (const l of (kust.labels as JsonValue[] | undefined) ?? []) {
      if (!isObj(l) || !isObj(l.pairs)) continue;
      addMapEntries(acc.resources, stringify(l.pairs), labelFieldSpecs(l, config), 'labels');
    }
    // kustomize's LabelTransformer configurator runs the `labels` entries first, then commonLabels.
    if (isObj(kust.commonLabels)) {
      addMapEntries(acc.resources, stringify(kust.commonLabels), config.commonLabels, 'commonLabels');
    }
    if (isObj(kust.commonAnnotations)) {
      addMapEntries(
        acc.resources,
        stringify(kust.commonAnnotations),
        config.commonAnnotations,
        'commonAnnotations',
      );
    }
    for (const p of (kust.patchesJson6902 as JsonValue[] | undefined) ?? []) {
      if (!isObj(p)) continue;
      const target = (p.target ?? {}) as ResourceSelector;
      const inline = typeof p.patch === 'string';
      const text = inline ? (p.patch as string) : (await this.readFileInRoot(dir, String(p.path ?? ''))).text;
      const ops = this.parseJsonPatch(text, kfile, inline);
      // A target that selects nothing patches nothing (kustomize's PatchJson6902Transformer).
      const matches = res.filter((r) => patchTargetMatches(target, r, this.ctx.clusterScoped));
      for (const r of matches) this.applyJson6902(r, ops, kfile, false);
    }
    const replicas = ((kust.replicas as JsonValue[] | undefined) ?? []).filter(isObj).map((r) => ({
      name: String(r.name ?? ''),
      count: typeof r.count === 'bigint' ? r.count : Number(r.count ?? 0),
    }));
    if (replicas.length > 0)
      track('ReplicaCountTransformer', () => setReplicas(acc.resources, replicas, config.replicas));
    const images = [
      ...(((kust.images as JsonValue[] | undefined) ?? []) as unknown as ImageSpec[]),
      ...(((kust.imageTags as JsonValue[] | undefined) ?? []) as unknown as ImageSpec[]),
    ];
    if (images.length > 0)
      track('ImageTagTransformer', () => setImages(acc.resources, images, config.images));
    const replacements = (kust.replacements as JsonValue[] | undefined) ?? [];
    if (replacements.length > 0) {
      const list: JsonObject[] = [];
      for (const r of replacements) {
        if (!isObj(r)) continue;
        if (typeof r.path === 'string') {
          const { abs, text } = await this.readFileInRoot(dir, r.path);
          for (const d of readYamlDocuments(text, this.display(abs), 'kustomization')) {
            if (Array.isArray(d.value)) list.push(...d.value.filter(isObj));
            else if (isObj(d.value)) list.push(d.value);
          }
        } else list.push(r);
      }
      applyReplacements(acc.resources, list, kfile);
      // Replacements set fields in place, shared nodes included.
      for (const r of acc.resources) syncAliases(r.obj, r.aliases);
    }
    for (const entry of (kust.transformers as string[] | undefined) ?? []) {
      for (const { obj: cfg } of await this.loadPluginConfigs(dir, String(entry), kfile)) {
        await this.runTransformerConfig(dir, acc, cfg, config, kfile);
      }
    }
  }

  private parseJsonPatch(text: string, file: string, inline: boolean): JsonPatchOp[] {
    const docs = readPatchDocuments(text, file, inline);
    const v = docs[0]?.value;
    if (!Array.isArray(v)) throw new PatchError('a JSON 6902 patch must be a list of operations', { file });
    return v as unknown as JsonPatchOp[];
  }

  /**
   * A JSON patch on one object. `patches` (PatchTransformer) stores the object's id first, so a
   * rename keeps the old name findable; `patchesJson6902` (PatchJson6902Transformer) does not, so
   * the object it renames is known by its new name only. Either patches the object with the
   * internal annotations it holds.
   */
  private applyJson6902(r: Resource, ops: JsonPatchOp[], file: string, storeId: boolean): void {
    const before = r.curId();
    if (storeId) r.storedIds.push(before);
    addInternalAnnotations(r.obj, r.storedIds);
    try {
      // kustomize applies the patch to the object's JSON form: its integers beyond 2^53 come back rounded.
      r.obj = roundBigIntegersThroughJson(applyJsonPatchOps(r.obj, ops)) as JsonObject;
      removeInternalAnnotations(r.obj);
      // kustomize patches the object's JSON form: the object comes back with no shared nodes.
      r.aliases = [];
      // …and with every string a quoted, tagged node, the name included.
      r.nameTagged = true;
      r.nameQuoted = true;
    } catch (err) {
      if (err instanceof PatchError) {
        throw new PatchError(`${err.reason} (patching ${before.kind}/${before.name})`, {
          code: err.code as 'PATCH_ERROR' | 'PATCH_CONFLICT' | 'PATCH_TEST_FAILED',
          file,
          path: err.path,
          cause: err,
        });
      }
      throw err;
    }
    const after = r.curId();
    const renamed =
      after.name !== before.name || after.kind !== before.kind || after.namespace !== before.namespace;
    if (storeId && renamed) r.prevIds.push(before);
  }

  /**
   * A patch applied by id. `patchesStrategicMerge` goes through ResMap.ApplySmPatch, which copies
   * the patch's labels and annotations as strings first (see stringMapMetadata); `patches` without
   * a target does not.
   */
  private applySmpById(
    acc: Accumulator,
    patch: JsonObject,
    file: string,
    viaResMap = false,
    opts: { allowNameChange?: boolean; allowKindChange?: boolean } = {},
  ): void {
    if (viaResMap) {
      patch = structuredClone(patch);
      stringMapMetadata(patch);
    }
    const meta = isObj(patch.metadata) ? patch.metadata : {};
    const name = typeof meta.name === 'string' ? meta.name : '';
    const ns = typeof meta.namespace === 'string' ? meta.namespace : '';
    const apiVersion = typeof patch.apiVersion === 'string' ? patch.apiVersion : '';
    const slash = apiVersion.lastIndexOf('/');
    const group = slash >= 0 ? apiVersion.slice(0, slash) : '';
    const version = apiVersion.slice(slash + 1);
    const kind = typeof patch.kind === 'string' ? patch.kind : '';
    // kustomize's GetById: one object with an id (any it had) equal to the patch's, namespaces
    // compared as effective ones (none is `default`) and the full group/version/kind.
    const patchId = { group, version, kind, name, namespace: ns };
    const matches = acc.resources.filter((r) =>
      r.anyIds().some((id) => sameId(id, patchId, this.ctx.clusterScoped)),
    );
    if (matches.length !== 1) {
      throw new PatchError(
        matches.length === 0
          ? `no resource matches strategic merge patch "${kind}" ${name}`
          : `multiple resources match strategic merge patch "${kind}" ${name}`,
        { file },
      );
    }
    this.applySmp(acc, matches[0] as Resource, patch, opts);
  }

  /**
   * kustomize's PatchStrategicMergeTransformer: the patch by id through `ResMap.ApplySmPatch`,
   * which appends every object again and so refuses any id that repeats.
   */
  private applySmpViaResMap(
    acc: Accumulator,
    patch: JsonObject,
    file: string,
    kfile: string,
    path: string,
  ): void {
    this.applySmpById(acc, patch, file, true);
    refuseRepeatedIds(acc.resources, this.ctx.clusterScoped, { file: kfile, path });
  }

  private applySmp(
    acc: Accumulator,
    r: Resource,
    patch: JsonObject,
    opts: { allowNameChange?: boolean; allowKindChange?: boolean },
  ): void {
    const before = r.curId();
    const p = { ...patch };
    this.schemaChoice.touch();
    // The patch's identity selects the target; it does not rename it unless asked.
    const merged =
      p.$patch === 'delete'
        ? undefined
        : applyKustomizePatch(r.obj, p, {
            schema: this.schemaChoice.schema,
            isEmptyValue,
            fieldsWithoutSchema: this.schemaChoice.fieldsWithoutSchema,
          });
    if (merged === undefined) {
      const i = acc.resources.indexOf(r);
      if (i >= 0) acc.resources.splice(i, 1);
      return;
    }
    if (!opts.allowKindChange) {
      merged.kind = r.obj.kind as JsonValue;
      merged.apiVersion = r.obj.apiVersion as JsonValue;
    }
    if (!opts.allowNameChange && isObj(merged.metadata)) {
      if (before.name) merged.metadata.name = before.name;
    }
    // kustomize's Resource.ApplySmPatch puts the namespace back whatever the patch said.
    if (isObj(merged.metadata)) {
      if (before.namespace) merged.metadata.namespace = before.namespace;
      else delete merged.metadata.namespace;
    }
    r.obj = merged;
    // kustomize's Resource.ApplySmPatch sets the name back with SetName (an untagged node), or
    // keeps the patch's name node when the patch may rename.
    if (!opts.allowNameChange) r.untagName(false);
    else {
      r.nameTagged = true;
      r.nameQuoted = undefined;
    }
    // kyaml's merge sets existing fields in place: shared nodes carry the patched value along.
    syncAliases(r.obj, r.aliases);
    const after = r.curId();
    if (after.name !== before.name || after.kind !== before.kind) r.prevIds.push(before);
  }

  private async applyPatchEntry(dir: string, acc: Accumulator, p: JsonObject, kfile: string): Promise<void> {
    let text: string;
    let file = kfile;
    const inline = typeof p.patch === 'string' && p.patch !== '';
    if (inline) text = p.patch as string;
    else if (typeof p.path === 'string' && p.path !== '') {
      const loaded = await this.readFileInRoot(dir, p.path);
      text = loaded.text;
      file = this.display(loaded.abs);
    } else throw new ValidationError('a patch needs either patch or path', { file: kfile, path: 'patches' });
    const opts = isObj(p.options) ? p.options : {};
    const patchOpts = {
      allowNameChange: opts.allowNameChange === true,
      allowKindChange: opts.allowKindChange === true,
    };
    const docs = readPatchDocuments(text, file, inline).filter(
      (d) => d.value !== null && d.value !== undefined,
    );
    if (docs.length === 0) {
      throw new PatchError(
        'a patch that is empty illegally qualifies as both a strategic-merge and a JSON patch',
        { file },
      );
    }
    const first = docs[0]?.value;
    const target = isObj(p.target) ? (p.target as ResourceSelector) : undefined;
    if (Array.isArray(first)) {
      if (!target)
        throw new ValidationError('a JSON 6902 patch needs a target', { file: kfile, path: 'patches' });
      const ops = first as unknown as JsonPatchOp[];
      for (const r of acc.resources.filter((r) => patchTargetMatches(target, r, this.ctx.clusterScoped)))
        this.applyJson6902(r, ops, file, true);
      return;
    }
    for (const doc of docs) {
      if (!isObj(doc.value)) continue;
      if (!target) {
        // A patch without a target keeps its options (allowNameChange renames by the patch's name).
        this.applySmpById(acc, doc.value, file, false, patchOpts);
        continue;
      }
      for (const r of acc.resources.filter((r) => patchTargetMatches(target, r, this.ctx.clusterScoped))) {
        const patch = structuredClone(doc.value);
        stringMapMetadata(patch);
        this.applySmp(acc, r, patch, patchOpts);
      }
      refuseRepeatedIds(acc.resources, this.ctx.clusterScoped, { file: kfile, path: 'patches' });
    }
  }

  private async runTransformerConfig(
    dir: string,
    acc: Accumulator,
    cfg: JsonObject,
    config: TransformerConfig,
    kfile: string,
  ): Promise<void> {
    const api = String(cfg.apiVersion ?? '');
    const kind = String(cfg.kind ?? '');
    if (api !== 'builtin' && !api.startsWith('builtin/')) this.refusePlugin(cfg, kfile, 'transformer');
    const specs = (v: unknown, fallback: TransformerConfig[keyof TransformerConfig]) =>
      Array.isArray(v)
        ? (v as unknown as typeof config.commonLabels)
        : (fallback as typeof config.commonLabels);
    switch (kind) {
      case 'NamespaceTransformer': {
        const meta = isObj(cfg.metadata) ? cfg.metadata : {};
        setNamespace(
          acc.resources,
          {
            namespace: String(meta.namespace ?? ''),
            fieldSpecs: specs(cfg.fieldSpecs, config.namespace),
            unsetOnly: cfg.unsetOnly === true,
            setRoleBindingSubjects: (cfg.setRoleBindingSubjects as 'defaultOnly') ?? 'defaultOnly',
          },
          this.ctx,
        );
        return;
      }
      case 'PrefixSuffixTransformer':
      case 'PrefixTransformer':
      case 'SuffixTransformer':
        addNamePrefixSuffix(
          acc.resources,
          String(cfg.prefix ?? ''),
          String(cfg.suffix ?? ''),
          specs(cfg.fieldSpecs, config.namePrefix),
        );
        return;
      case 'LabelTransformer':
        addMapEntries(
          acc.resources,
          stringify((cfg.labels ?? {}) as JsonObject),
          specs(cfg.fieldSpecs, config.commonLabels),
          'labels',
        );
        return;
      case 'AnnotationsTransformer':
        addMapEntries(
          acc.resources,
          stringify((cfg.annotations ?? {}) as JsonObject),
          specs(cfg.fieldSpecs, config.commonAnnotations),
          'annotations',
        );
        return;
      case 'ImageTagTransformer':
        setImages(
          acc.resources,
          [cfg.imageTag as unknown as ImageSpec],
          specs(cfg.fieldSpecs, config.images),
        );
        return;
      case 'ReplicaCountTransformer': {
        const rep = isObj(cfg.replica) ? cfg.replica : {};
        setReplicas(
          acc.resources,
          [
            {
              name: String(rep.name ?? ''),
              count: typeof rep.count === 'bigint' ? rep.count : Number(rep.count ?? 0),
            },
          ],
          specs(cfg.fieldSpecs, config.replicas),
        );
        return;
      }
      case 'PatchTransformer':
        await this.applyPatchEntry(dir, acc, cfg, kfile);
        return;
      case 'PatchStrategicMergeTransformer': {
        for (const p of (cfg.paths as string[] | undefined) ?? []) {
          const { text, file } = await this.loadPatchText(dir, String(p));
          for (const doc of readYamlDocuments(text, file, 'patch'))
            if (isObj(doc.value)) this.applySmpViaResMap(acc, doc.value, file, kfile, 'transformers');
        }
        if (typeof cfg.patches === 'string') {
          for (const doc of readYamlDocuments(cfg.patches, kfile, 'patch'))
            if (isObj(doc.value)) this.applySmpViaResMap(acc, doc.value, kfile, kfile, 'transformers');
        }
        return;
      }
      case 'PatchJson6902Transformer': {
        const inline = typeof cfg.jsonOp === 'string';
        const text = inline
          ? (cfg.jsonOp as string)
          : (await this.readFileInRoot(dir, String(cfg.path ?? ''))).text;
        const ops = this.parseJsonPatch(text, kfile, inline);
        const target = (cfg.target ?? {}) as ResourceSelector;
        for (const r of acc.resources.filter((r) => patchTargetMatches(target, r, this.ctx.clusterScoped)))
          this.applyJson6902(r, ops, kfile, false);
        return;
      }
      case 'ReplacementTransformer': {
        const list = ((cfg.replacements as JsonValue[] | undefined) ?? []).filter(isObj);
        applyReplacements(acc.resources, list, kfile);
        for (const r of acc.resources) syncAliases(r.obj, r.aliases);
        return;
      }
      case 'HashTransformer':
        for (const r of acc.resources) r.needsHash = true;
        return;
      default:
        throw new ValidationError(`unknown builtin transformer ${kind}`, {
          file: kfile,
          code: 'UNSUPPORTED',
        });
    }
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
    // kustomize drops local-config objects by rebuilding the map from the others (IgnoreLocal).
    refuseRepeatedIds(
      acc.resources.filter((r) => !isLocalConfig(r)),
      this.ctx.clusterScoped,
    );
  }
}

function isLocalConfig(r: Resource): boolean {
  const ann = r.metadata.annotations;
  return isObj(ann) && String(ann['config.kubernetes.io/local-config']) === 'true';
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

/**
 * kustomize copies a targeted patch per object and sets the copy's labels and annotations from its
 * own (`CopyMergeMetaDataFieldsFrom`), through Go's map[string]string: every value becomes its
 * YAML text (a null deletes nothing then, it sets "null"), and an empty or null map is dropped.
 */
function stringMapMetadata(patch: JsonObject): void {
  const meta = patch.metadata;
  if (!isObj(meta)) return;
  for (const f of ['labels', 'annotations']) {
    if (!(f in meta)) continue;
    const m = meta[f];
    const out: JsonObject = {};
    if (isObj(m))
      for (const [k, v] of Object.entries(m))
        out[k] = v === null ? 'null' : typeof v === 'object' ? stringifyExact(v) : String(v);
    if (Object.keys(out).length > 0) meta[f] = out;
    else delete meta[f];
  }
}

/**
 * The field specs of one `labels` entry, as kustomize's LabelTransformer configurator merges them:
 * the entry's own `fields`, then the selector defaults (`includeSelectors`) or the template ones
 * (`includeTemplates`), then the configuration's `labels` (metadata/labels). A default that one of
 * the entry's fields selects with another create flag is refused (kustomize's FsSlice.MergeAll).
 */
function labelFieldSpecs(l: JsonObject, config: TransformerConfig): FieldSpec[] {
  let specs = parseTransformerConfig({ labels: l.fields }).metadataLabels ?? [];
  if (l.includeSelectors === true) specs = mergeFieldSpecs(specs, config.commonLabels);
  else if (l.includeTemplates === true) {
    try {
      specs = mergeFieldSpecs(specs, config.templateLabels);
    } catch (err) {
      if (!(err instanceof ConflictingFieldSpecsError)) throw err;
      throw new ConflictingFieldSpecsError(err.spec, 'template');
    }
  }
  return mergeFieldSpecs(specs, config.metadataLabels);
}

function stringify(m: JsonObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) out[k] = v === null ? '' : String(v);
  return out;
}

/** A fresh accumulator; each kustomization merges its configuration in (defaults included). */
export function newAccumulator(): Accumulator {
  return { resources: [], vars: [], config: emptyTransformerConfig() };
}
