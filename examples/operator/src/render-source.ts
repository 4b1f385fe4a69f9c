import { posix } from 'node:path';
import {
  type DirEntry,
  GitOpsError,
  type GitOpsErrorOptions,
  isGitOpsError,
  isJsonObject,
  type JsonObject,
  type KubeObject,
  NotFoundError,
  ParseError,
  PatchError,
  parseYaml,
  pathExists,
  type ReadonlyFileSystem,
  readTextFile,
  SecurityError,
  stringifyKubeYaml,
  TimeoutError,
  ValidationError,
} from '@gitops-kit/core';
import {
  type RenderWarning,
  renderDirectory,
  renderKustomization,
  type SourceLocation,
} from '@gitops-kit/kustomize';
import type { ApplicationSource } from './application-schema.js';

/** The file names kustomize looks for, in its order. */
export const KUSTOMIZATION_FILE_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

/** The outcome of rendering an Application's source. */
export interface RenderedSource {
  /** How the source was rendered. */
  type: 'kustomize' | 'directory';
  /** The desired objects, in output order. */
  objects: KubeObject[];
  /** Where each object came from (file and line, relative to the repository root). */
  sources: SourceLocation[];
}

/** One `images` entry of a kustomization. */
export interface KustomizeImage {
  /** The image name matched in the resources. */
  name: string;
  /** Replacement name. */
  newName?: string | undefined;
  /** Replacement tag. */
  newTag?: string | undefined;
  /** Replacement digest (`sha256:…`). */
  digest?: string | undefined;
}

function splitTagOrDigest(ref: string): { name: string; tag?: string; digest?: string } {
  const at = ref.indexOf('@');
  if (at >= 0) return { name: ref.slice(0, at), digest: ref.slice(at + 1) };
  // A colon after the last slash is a tag; before it, a registry port.
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) return { name: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { name: ref };
}

/**
 * Parses an image override as `kustomize edit set image` (and `argocd app set --kustomize-image`)
 * take it: `nginx=registry.example.com/nginx:1.27`, `nginx=nginx@sha256:…`, `nginx:1.27`,
 * `nginx@sha256:…`, `nginx=registry.example.com/nginx`.
 */
export function parseImageOverride(text: string): KustomizeImage {
  const value = text.trim();
  const eq = value.indexOf('=');
  let image: KustomizeImage;
  if (eq >= 0) {
    const name = value.slice(0, eq);
    const target = splitTagOrDigest(value.slice(eq + 1));
    image = {
      name,
      newName: target.name !== name ? target.name : undefined,
      newTag: target.tag,
      digest: target.digest,
    };
  } else {
    const target = splitTagOrDigest(value);
    image = { name: target.name, newTag: target.tag, digest: target.digest };
  }
  if (
    !image.name ||
    (image.newName === undefined && image.newTag === undefined && image.digest === undefined)
  ) {
    throw new ValidationError(`"${text}" is not an image override such as nginx=nginx:1.27 or nginx:1.27`, {
      path: 'spec.source.kustomize.images',
    });
  }
  return image;
}

function applyOverrides(
  kustomization: JsonObject,
  options: NonNullable<ApplicationSource['kustomize']>,
): JsonObject {
  const out: JsonObject = { ...kustomization };
  if (options.images && options.images.length > 0) {
    const images = (Array.isArray(out.images) ? out.images : []).filter(isJsonObject).map((i) => ({ ...i }));
    for (const text of options.images) {
      const override = parseImageOverride(text);
      const entry: JsonObject = { name: override.name };
      if (override.newName !== undefined) entry.newName = override.newName;
      if (override.newTag !== undefined) entry.newTag = override.newTag;
      if (override.digest !== undefined) entry.digest = override.digest;
      const at = images.findIndex((i) => i.name === override.name);
      // As `kustomize edit set image`: the override replaces the entry of the same name.
      if (at >= 0) images[at] = entry;
      else images.push(entry);
    }
    out.images = images;
  }
  if (options.namePrefix !== undefined) out.namePrefix = options.namePrefix;
  if (options.nameSuffix !== undefined) out.nameSuffix = options.nameSuffix;
  if (options.namespace !== undefined) out.namespace = options.namespace;
  if (options.commonLabels && Object.keys(options.commonLabels).length > 0) {
    out.commonLabels = {
      ...(isJsonObject(out.commonLabels) ? out.commonLabels : {}),
      ...options.commonLabels,
    };
  }
  if (options.commonAnnotations && Object.keys(options.commonAnnotations).length > 0) {
    out.commonAnnotations = {
      ...(isJsonObject(out.commonAnnotations) ? out.commonAnnotations : {}),
      ...options.commonAnnotations,
    };
  }
  return out;
}

/** A file system that answers `replaced` files from memory and hides files `visible` refuses. */
export function overlayFileSystem(
  base: ReadonlyFileSystem,
  replaced: Map<string, Uint8Array>,
  visible: (path: string, entry: DirEntry) => boolean = () => true,
): ReadonlyFileSystem {
  return {
    readFile: (path) => {
      const bytes = replaced.get(posix.resolve('/', path));
      return bytes ? Promise.resolve(bytes) : base.readFile(path);
    },
    readdir: async (path) => (await base.readdir(path)).filter((e) => visible(posix.join(path, e.name), e)),
    stat: async (path) => {
      const bytes = replaced.get(posix.resolve('/', path));
      return bytes ? { type: 'file', size: bytes.length } : base.stat(path);
    },
    lstat: async (path) => {
      const bytes = replaced.get(posix.resolve('/', path));
      return bytes ? { type: 'file', size: bytes.length } : base.lstat(path);
    },
    readlink: (path) => base.readlink(path),
  };
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  let depth = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        re += '.*';
        i++;
        if (glob[i + 1] === '/') i++;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      re += '(?:';
      depth++;
    } else if (c === '}' && depth > 0) {
      re += ')';
      depth--;
    } else if (c === ',' && depth > 0) re += '|';
    else re += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** True when a directory source's include/exclude globs keep `relPath` (matched whole, or by base name). */
export function directoryGlobMatches(glob: string, relPath: string): boolean {
  const re = globToRegExp(glob);
  return re.test(relPath) || re.test(posix.basename(relPath));
}

/** `file` relative to the source directory, as the renderers report it, made repository-relative. */
function repositoryPath(sourceDir: string, file: string): string {
  if (posix.isAbsolute(file)) return file.replace(/^\/+/, '');
  return posix.normalize(posix.join(sourceDir, file));
}

// The error families share one constructor shape (message, options with code); a renderer's own
// subclass is rebuilt as its family, so `instanceof ParseError` and `code` still hold.
const FAMILIES = [
  ParseError,
  ValidationError,
  NotFoundError,
  SecurityError,
  PatchError,
  TimeoutError,
] as const;

/** The same error with its file made repository-relative (`base/deployment.yaml`, not `../base/…`). */
function relocateError(err: unknown, sourceDir: string): unknown {
  if (!isGitOpsError(err) || err.file === undefined) return err;
  const options: GitOpsErrorOptions = {
    file: repositoryPath(sourceDir, err.file),
    line: err.line,
    column: err.column,
    path: err.path,
    details: err.details,
    cause: err.cause,
  };
  for (const Family of FAMILIES) {
    if (err instanceof Family) {
      return new (
        Family as unknown as new (
          m: string,
          o: GitOpsErrorOptions & { code: string },
        ) => GitOpsError
      )(err.reason, { ...options, code: err.code });
    }
  }
  return new GitOpsError(err.code, err.reason, options);
}

/**
 * Renders an Application's source from a checked-out tree (`fs`, rooted at the repository): a
 * kustomization at `source.path` is built in-process, with the spec's kustomize overrides applied
 * as `kustomize edit` would apply them to the kustomization file (images replaced by name, name
 * prefix and suffix set, labels and annotations merged), without touching the tree; otherwise the
 * directory's manifests are read (`directory.recurse`, off by default as in Argo CD; `include` and
 * `exclude` globs). Errors and object sources name files relative to the repository root, with
 * their line, so a status can say `base/deployment.yaml:5`.
 */
export async function renderApplicationSource(
  fs: ReadonlyFileSystem,
  source: ApplicationSource,
): Promise<RenderedSource> {
  const sourceDir = posix.normalize(source.path ?? '.').replace(/^\/+/, '');
  try {
    const rendered = await renderUnrelocated(fs, source);
    // One path string per file, not per object (a file's objects are kept with the render).
    const paths = new Map<string, string>();
    const pathOf = (file: string): string => {
      let path = paths.get(file);
      if (path === undefined) {
        path = repositoryPath(sourceDir, file);
        paths.set(file, path);
      }
      return path;
    };
    return {
      ...rendered,
      sources: rendered.sources.map((loc) => ({ ...loc, file: pathOf(loc.file) })),
    };
  } catch (err) {
    throw relocateError(err, sourceDir === '.' ? '' : sourceDir);
  }
}

/**
 * A render whose objects hold an integer rounded to the nearest JavaScript number (beyond 2^53) is a
 * failed render: syncing it would write another value than the repository says, so the Application
 * shows the error (file, line, field) and nothing is synced or pruned. The first such integer is
 * the error; the count of others is in its message and details.
 */
function refuseInexactIntegers(warnings: readonly RenderWarning[], sourceDir: string): void {
  const inexact = warnings.filter((w) => w.code === 'INEXACT_INTEGER');
  const first = inexact[0];
  if (first === undefined) return;
  const more = inexact.length - 1;
  throw new ValidationError(
    'an integer beyond 2^53 cannot be synced exactly (JavaScript numbers hold integers exactly only up ' +
      'to 2^53); write it as a string if the field takes one, or a smaller number' +
      (more > 0 ? ` (${more} more such integer${more > 1 ? 's' : ''} in this render)` : ''),
    {
      code: 'INEXACT_INTEGER',
      file: first.file,
      line: first.line,
      path: first.field,
      details: {
        fields: inexact.map((w) => ({
          file: w.file === undefined ? undefined : repositoryPath(sourceDir, w.file),
          line: w.line,
          field: w.field,
        })),
      },
    },
  );
}

async function renderUnrelocated(fs: ReadonlyFileSystem, source: ApplicationSource): Promise<RenderedSource> {
  const relative = posix.normalize(source.path ?? '.').replace(/^\/+/, '');
  if (relative === '..' || relative.startsWith('../')) {
    throw new ValidationError(`the source path "${source.path}" leaves the repository`, {
      path: 'spec.source.path',
    });
  }
  const dir = posix.resolve('/', relative);
  if (!(await pathExists(fs, dir))) {
    throw new NotFoundError(`the source path "${source.path ?? '.'}" does not exist in the repository`, {
      path: 'spec.source.path',
    });
  }
  let kustomizationFile: string | undefined;
  for (const name of KUSTOMIZATION_FILE_NAMES) {
    if (await pathExists(fs, posix.join(dir, name))) {
      kustomizationFile = posix.join(dir, name);
      break;
    }
  }
  if (kustomizationFile) {
    let view = fs;
    const overrides = source.kustomize;
    if (overrides && Object.values(overrides).some((v) => v !== undefined)) {
      const text = await readTextFile(fs, kustomizationFile);
      // Integers beyond 2^53 stay exact through the edit, so the render sees (and reports) them as written.
      const parsed = parseYaml(text, {
        file: posix.relative('/', kustomizationFile),
        duplicateKeys: 'last',
        bigIntegers: 'bigint',
      });
      if (!isJsonObject(parsed)) {
        throw new ValidationError('the kustomization is not a mapping', {
          file: posix.relative('/', kustomizationFile),
        });
      }
      const edited = stringifyKubeYaml(applyOverrides(parsed as JsonObject, overrides));
      view = overlayFileSystem(fs, new Map([[kustomizationFile, new TextEncoder().encode(edited)]]));
    }
    // Only the objects are used: the YAML text is not written.
    const result = await renderKustomization(view, dir, { yaml: false });
    refuseInexactIntegers(result.warnings, relative);
    return { type: 'kustomize', objects: result.objects, sources: result.sources };
  }
  const include = source.directory?.include;
  const exclude = source.directory?.exclude;
  const view =
    include || exclude
      ? overlayFileSystem(fs, new Map(), (path, entry) => {
          if (entry.type === 'directory') return true;
          const rel = posix.relative(dir, path);
          if (include && !directoryGlobMatches(include, rel)) return false;
          if (exclude && directoryGlobMatches(exclude, rel)) return false;
          return true;
        })
      : fs;
  const result = await renderDirectory(view, dir, {
    recurse: source.directory?.recurse ?? false,
    yaml: false,
  });
  refuseInexactIntegers(result.warnings, relative);
  return { type: 'directory', objects: result.objects, sources: result.sources };
}
