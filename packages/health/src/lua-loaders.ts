import {
  isJsonObject,
  parseYaml,
  type ReadonlyFileSystem,
  readTextFile,
  ValidationError,
} from '@gitops-kit/core';
import type { LuaHealthScript } from './lua-script.js';

/** The file name of a health script in Argo CD's resource_customizations layout. */
export const HEALTH_SCRIPT_FILE = 'health.lua';

/** The argocd-cm key prefix of health scripts: `resource.customizations.health.<group_kind>`. */
export const HEALTH_KEY_PREFIX = 'resource.customizations.health.';

/** The legacy argocd-cm key holding every customization as one YAML map keyed by `group/Kind`. */
export const LEGACY_CUSTOMIZATIONS_KEY = 'resource.customizations';

/** The argocd-cm key prefix that grants the standard libraries: `resource.customizations.useOpenLibs.<group_kind>`. */
export const OPEN_LIBS_KEY_PREFIX = 'resource.customizations.useOpenLibs.';

// A leading `_` in a directory name stands for `*`: `_.crossplane.io` is `*.crossplane.io`, `_` is `*`.
function patternOf(dirName: string): string {
  return dirName.startsWith('_') ? `*${dirName.slice(1)}` : dirName;
}

function join(a: string, b: string): string {
  if (a === '' || a === '.') return b;
  return a.endsWith('/') ? `${a}${b}` : `${a}/${b}`;
}

async function readScript(fs: ReadonlyFileSystem, dir: string): Promise<string | undefined> {
  const path = join(dir, HEALTH_SCRIPT_FILE);
  let info: Awaited<ReturnType<ReadonlyFileSystem['stat']>>;
  try {
    info = await fs.stat(path);
  } catch {
    return undefined;
  }
  if (info.type !== 'file') return undefined;
  return readTextFile(fs, path, { maxBytes: 1024 * 1024 });
}

/**
 * Loads the health scripts of a directory in Argo CD's `resource_customizations` layout:
 * `<group>/<Kind>/health.lua`, or `<Kind>/health.lua` for the core group, where a leading `_` in
 * a directory name is a wildcard. The scripts are `builtin` scripts with the standard libraries,
 * as Argo CD runs its own.
 */
export async function loadLuaHealthChecksFromDir(
  fs: ReadonlyFileSystem,
  dir: string,
): Promise<LuaHealthScript[]> {
  const scripts: LuaHealthScript[] = [];
  for (const group of await fs.readdir(dir)) {
    if (group.type !== 'directory' && group.type !== 'symlink') continue;
    const groupDir = join(dir, group.name);
    const own = await readScript(fs, groupDir);
    if (own !== undefined) {
      scripts.push({
        key: patternOf(group.name),
        source: own,
        openLibs: true,
        origin: 'builtin',
        file: join(groupDir, HEALTH_SCRIPT_FILE),
      });
    }
    let kinds: Awaited<ReturnType<ReadonlyFileSystem['readdir']>>;
    try {
      kinds = await fs.readdir(groupDir);
    } catch {
      continue;
    }
    for (const kind of kinds) {
      if (kind.type !== 'directory' && kind.type !== 'symlink') continue;
      const kindDir = join(groupDir, kind.name);
      const source = await readScript(fs, kindDir);
      if (source === undefined) continue;
      scripts.push({
        key: `${patternOf(group.name)}/${patternOf(kind.name)}`,
        source,
        openLibs: true,
        origin: 'builtin',
        file: join(kindDir, HEALTH_SCRIPT_FILE),
      });
    }
  }
  return scripts;
}

// `group_Kind` → `group/Kind`; `Kind` → `Kind` (Argo CD's convertToOverrideKey).
function overrideKey(groupKind: string, configKey: string): string {
  const parts = groupKind.split('_');
  if (parts.length === 2) return `${parts[0]}/${parts[1]}`;
  if (parts.length === 1 && groupKind !== '') return groupKind;
  throw new ValidationError(
    `group kind should be in format \`resource.customizations.<type>.<group_kind>\` or \`resource.customizations.<type>.<kind>\`, got group kind: '${groupKind}'`,
    { path: configKey },
  );
}

// The legacy form: `resource.customizations` is YAML mapping `group/Kind` to
// `{ health.lua: <script>, health.lua.useOpenLibs: <bool> }`.
function legacyScripts(text: string): LuaHealthScript[] {
  const parsed = parseYaml(text, { file: LEGACY_CUSTOMIZATIONS_KEY });
  if (parsed === null) return [];
  if (!isJsonObject(parsed)) {
    throw new ValidationError('expected a map of group/Kind to customizations', {
      file: LEGACY_CUSTOMIZATIONS_KEY,
    });
  }
  const scripts: LuaHealthScript[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    if (!isJsonObject(value)) continue;
    const source = value['health.lua'];
    if (typeof source !== 'string' || source === '') continue;
    const openLibs = value['health.lua.useOpenLibs'];
    scripts.push({
      key,
      source,
      openLibs: openLibs === true || openLibs === 'true',
      origin: 'override',
      file: `${LEGACY_CUSTOMIZATIONS_KEY}[${key}]`,
    });
  }
  return scripts;
}

/**
 * The health scripts of an `argocd-cm` ConfigMap's data: `resource.customizations.health.<group_kind>`
 * keys (`cert-manager.io_Certificate`, `Pod` for the core group, globs allowed), with
 * `resource.customizations.useOpenLibs.<group_kind>: "true"` granting the standard libraries, and
 * the legacy `resource.customizations` YAML map (split keys win over it, as in Argo CD). They are
 * `override` scripts, consulted before built-in ones. Throws ValidationError for a key that is
 * not `group_kind` or `kind`, and ParseError for a legacy map that is not valid YAML.
 */
export function luaHealthChecksFromConfigMap(data: Record<string, string>): LuaHealthScript[] {
  const byKey = new Map<string, LuaHealthScript>();
  const legacy = data[LEGACY_CUSTOMIZATIONS_KEY];
  if (typeof legacy === 'string' && legacy.trim() !== '') {
    for (const script of legacyScripts(legacy)) byKey.set(script.key, script);
  }
  const openLibs = new Map<string, boolean>();
  for (const [k, v] of Object.entries(data)) {
    if (!k.startsWith(OPEN_LIBS_KEY_PREFIX)) continue;
    openLibs.set(
      overrideKey(k.slice(OPEN_LIBS_KEY_PREFIX.length), k),
      String(v).trim().toLowerCase() === 'true',
    );
  }
  for (const [k, v] of Object.entries(data)) {
    if (!k.startsWith(HEALTH_KEY_PREFIX) || typeof v !== 'string' || v === '') continue;
    const key = overrideKey(k.slice(HEALTH_KEY_PREFIX.length), k);
    byKey.set(key, { key, source: v, openLibs: openLibs.get(key) ?? false, origin: 'override', file: k });
  }
  return [...byKey.values()];
}
