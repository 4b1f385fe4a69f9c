// Health customizations the way Argo CD users write them: Lua scripts from a directory in Argo CD's
// `resource_customizations/<group>/<Kind>/health.lua` layout and from a ConfigMap's
// `resource.customizations.health.<group>_<Kind>` keys (the operator's `gitops-kit-cm`, shaped like
// `argocd-cm`), the ConfigMap's overriding the directory's, both overriding the built-in rules.
// The reconciler passes `healthOptions` to computeApplicationStatus; this module keeps them current.
import { type ClusterClient, createInformer } from '@gitops-kit/cluster';
import {
  GitOpsError,
  isGitOpsError,
  NotFoundError,
  type ReadonlyFileSystem,
  ValidationError,
} from '@gitops-kit/core';
import {
  type AssessHealthOptions,
  HEALTH_KEY_PREFIX,
  LEGACY_CUSTOMIZATIONS_KEY,
  LuaHealthEngine,
  type LuaHealthEngineOptions,
  type LuaHealthScript,
  loadLuaHealthChecksFromDir,
  luaHealthChecksFromConfigMap,
  OPEN_LIBS_KEY_PREFIX,
} from '@gitops-kit/health';

/** The ConfigMap health customizations are read from, in the operator's namespace (like `argocd-cm`). */
export const HEALTH_CUSTOMIZATIONS_CONFIGMAP = 'gitops-kit-cm';

/** Options of {@link HealthCustomizations.create}. */
export interface HealthCustomizationsOptions {
  /** The cluster the ConfigMap is read from. */
  client: ClusterClient;
  /** The namespace of the ConfigMap (the operator's). */
  namespace: string;
  /** The ConfigMap's name (default {@link HEALTH_CUSTOMIZATIONS_CONFIGMAP}). */
  configMapName?: string;
  /** Scripts in Argo CD's `resource_customizations` layout, e.g. a mounted volume. */
  directory?: { fs: ReadonlyFileSystem; path: string };
  /** Limits of the Lua engine. */
  engine?: LuaHealthEngineOptions;
}

// One key's scripts, or the error that key has (a bad `group_kind`, a legacy map that does not parse).
function scriptsOfKey(data: Record<string, string>, key: string): LuaHealthScript[] | GitOpsError {
  const subset: Record<string, string> = { [key]: data[key] as string };
  if (key.startsWith(HEALTH_KEY_PREFIX)) {
    const openLibs = `${OPEN_LIBS_KEY_PREFIX}${key.slice(HEALTH_KEY_PREFIX.length)}`;
    if (data[openLibs] !== undefined) subset[openLibs] = data[openLibs];
  }
  try {
    return luaHealthChecksFromConfigMap(subset);
  } catch (err) {
    if (isGitOpsError(err)) return err;
    return new ValidationError(err instanceof Error ? err.message : String(err), { path: key });
  }
}

/**
 * The scripts of a ConfigMap's data: the legacy `resource.customizations` map first, then the
 * split keys (which win, as in Argo CD). A key that cannot be read is left out and reported,
 * never failing the others.
 */
export function healthScriptsFromConfigMapData(data: Record<string, string>): {
  scripts: LuaHealthScript[];
  errors: GitOpsError[];
} {
  const byKey = new Map<string, LuaHealthScript>();
  const errors: GitOpsError[] = [];
  const keys = Object.keys(data)
    .filter((k) => k.startsWith(HEALTH_KEY_PREFIX))
    .sort();
  for (const key of [
    ...(data[LEGACY_CUSTOMIZATIONS_KEY] !== undefined ? [LEGACY_CUSTOMIZATIONS_KEY] : []),
    ...keys,
  ]) {
    const result = scriptsOfKey(data, key);
    if (result instanceof GitOpsError) errors.push(result);
    else for (const script of result) byKey.set(script.key, script);
  }
  return { scripts: [...byKey.values()], errors };
}

/**
 * The operator's Lua health customizations: the directory's scripts (read once) and the
 * ConfigMap's (read again by {@link refresh} when it changed). Scripts that do not compile are
 * kept, as Argo CD keeps them (their objects are Unknown with the error), and reported in
 * {@link errors} with their file (the directory path or the ConfigMap key) and line.
 */
export class HealthCustomizations {
  private engine: LuaHealthEngine | undefined;
  private seen: string | undefined;
  private problems: GitOpsError[] = [];

  private constructor(
    private readonly options: HealthCustomizationsOptions,
    private readonly directoryScripts: LuaHealthScript[],
  ) {}

  /** Reads the directory (if any) and the ConfigMap. */
  static async create(options: HealthCustomizationsOptions): Promise<HealthCustomizations> {
    const dir = options.directory;
    const scripts = dir === undefined ? [] : await loadLuaHealthChecksFromDir(dir.fs, dir.path);
    const customizations = new HealthCustomizations(options, scripts);
    await customizations.refresh();
    return customizations;
  }

  /**
   * Reads the ConfigMap again; rebuilds the scripts when its resourceVersion changed (or it
   * appeared or went away). Answers whether anything changed.
   */
  async refresh(): Promise<boolean> {
    const { client, namespace } = this.options;
    const name = this.options.configMapName ?? HEALTH_CUSTOMIZATIONS_CONFIGMAP;
    let data: Record<string, string> = {};
    let version = 'absent';
    try {
      const cm = await client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name });
      data = (cm.data ?? {}) as Record<string, string>;
      version = cm.metadata.resourceVersion ?? 'unversioned';
    } catch (err) {
      if (!(err instanceof NotFoundError) && (err as { code?: string }).code !== 'NOT_FOUND') throw err;
    }
    if (version === this.seen && this.engine !== undefined) return false;
    const fromConfigMap = healthScriptsFromConfigMapData(data);
    const engine = await LuaHealthEngine.create(this.options.engine);
    const scripts = [...this.directoryScripts, ...fromConfigMap.scripts];
    engine.addScripts(scripts);
    this.problems = [...fromConfigMap.errors, ...engine.validate(scripts)];
    this.engine?.close();
    this.engine = engine;
    this.seen = version;
    return true;
  }

  /** The options to assess health with (`computeApplicationStatus`'s `healthOptions`). */
  get healthOptions(): AssessHealthOptions {
    return this.engine === undefined ? {} : { lua: this.engine };
  }

  /** What is wrong with the customizations: keys that cannot be read, scripts that do not compile. */
  get errors(): readonly GitOpsError[] {
    return this.problems;
  }

  /**
   * Watches the ConfigMap until `signal` aborts: after each change (not for the state when the
   * watch starts) the scripts are rebuilt by {@link refresh}, and `onChange` is called when they
   * changed, so the caller can compare every Application again. A failed refresh is reported to
   * `onError` and the previous scripts stay.
   */
  watch(onChange: () => void, signal: AbortSignal, onError?: (err: unknown) => void): void {
    let synced = false;
    let chain = Promise.resolve();
    const changed = () => {
      if (!synced) return;
      chain = chain
        .then(async () => {
          if (await this.refresh()) onChange();
        })
        .catch((err: unknown) => onError?.(err));
    };
    const name = this.options.configMapName ?? HEALTH_CUSTOMIZATIONS_CONFIGMAP;
    const informer = createInformer(this.options.client, 'v1', 'ConfigMap', {
      namespace: this.options.namespace,
      fieldSelector: `metadata.name=${name}`,
      onAdd: changed,
      onUpdate: (before, after) => {
        if (before !== after) changed();
      },
      onDelete: changed,
      onError,
    });
    void informer.run(signal);
    // The state the watch starts from was read by create(); a change between the two is caught
    // by one refresh once the first list is in.
    void informer.waitForSync(signal).then((ok) => {
      if (!ok) return;
      synced = true;
      changed();
    });
  }

  /** Frees the Lua VMs. */
  close(): void {
    this.engine?.close();
    this.engine = undefined;
  }
}
