import {
  isJsonObject,
  type JsonValue,
  parseYaml,
  type ReadonlyFileSystem,
  readTextFile,
  ValidationError,
} from '@gitops-kit/core';
import type { GeneratorLimits } from './context.js';
import { globToRegExp, relativeGlob } from './glob.js';
import type { GitGenerator } from './schema.js';
import { normalizeName, type ParamSet, renderTemplateString } from './template.js';

interface Entry {
  path: string;
  type: 'file' | 'directory';
}

// Every directory and file below the root, relative (`a/b`), without directories whose name starts
// with `.` (`.git`), in sorted order; bounded by the limits.
async function walk(fs: ReadonlyFileSystem, limits: GeneratorLimits, path: string): Promise<Entry[]> {
  const out: Entry[] = [];
  let directories = 0;
  const visit = async (dir: string, rel: string): Promise<void> => {
    for (const entry of await fs.readdir(dir)) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const full = dir.endsWith('/') ? `${dir}${entry.name}` : `${dir}/${entry.name}`;
      if (entry.type === 'directory') {
        if (entry.name.startsWith('.')) continue;
        if (++directories > limits.maxDirectories) {
          throw new ValidationError(`the repository has more than ${limits.maxDirectories} directories`, {
            path,
          });
        }
        out.push({ path: child, type: 'directory' });
        await visit(full, child);
      } else if (entry.type === 'file') {
        out.push({ path: child, type: 'file' });
      }
    }
  };
  await visit('/', '');
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '.' : p.slice(0, i);
}

function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? p : p.slice(i + 1);
}

// Argo CD's path parameters: `<prefix>path`, `.basename`, `.basenameNormalized`, `[n]` per segment.
function pathParams(dir: string, name: string): Record<string, string> {
  const params: Record<string, string> = {
    [name]: dir,
    [`${name}.basename`]: basename(dir),
    [`${name}.basenameNormalized`]: normalizeName(basename(dir)),
  };
  dir.split('/').forEach((segment, i) => {
    if (segment !== '') params[`${name}[${i}]`] = segment;
  });
  return params;
}

function withValues(generator: GitGenerator, params: Record<string, string>): ParamSet {
  const out = { ...params };
  for (const [k, v] of Object.entries(generator.values ?? {}))
    out[`values.${k}`] = renderTemplateString(v, params);
  return out;
}

function paramName(generator: GitGenerator): string {
  return generator.pathParamPrefix ? `${generator.pathParamPrefix}.path` : 'path';
}

/** Parameter sets of a git generator with `directories`: one per matching directory, in path order. */
export async function gitDirectoryParamSets(
  generator: GitGenerator,
  fs: ReadonlyFileSystem,
  limits: GeneratorLimits,
  path: string,
): Promise<ParamSet[]> {
  const rules = (generator.directories ?? []).map((d, i) => ({
    re: globToRegExp(relativeGlob(d.path), { doubleStar: false, path: `${path}.directories[${i}].path` }),
    exclude: d.exclude === true,
  }));
  const name = paramName(generator);
  const out: ParamSet[] = [];
  for (const entry of await walk(fs, limits, path)) {
    if (entry.type !== 'directory') continue;
    const included = rules.some((r) => !r.exclude && r.re.test(entry.path));
    if (!included || rules.some((r) => r.exclude && r.re.test(entry.path))) continue;
    out.push(withValues(generator, pathParams(entry.path, name)));
  }
  return out;
}

// A file's content flattened to dotted names (`cluster.name`, `list.0`); scalars as strings.
function flatten(value: JsonValue, prefix: string, out: Record<string, string>): void {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) flatten(v, prefix === '' ? String(i) : `${prefix}.${i}`, out);
  } else if (isJsonObject(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix === '' ? k : `${prefix}.${k}`, out);
  } else if (prefix !== '') {
    out[prefix] = value === null ? '' : String(value);
  }
}

async function fileParamSets(
  generator: GitGenerator,
  fs: ReadonlyFileSystem,
  file: string,
  limits: GeneratorLimits,
): Promise<ParamSet[]> {
  const text = await readTextFile(fs, `/${file}`, { maxBytes: limits.maxFileBytes });
  const parsed = parseYaml(text, { file }) as JsonValue;
  const items = Array.isArray(parsed) ? parsed : [parsed];
  const name = paramName(generator);
  return items.map((item, i) => {
    if (!isJsonObject(item)) {
      throw new ValidationError('a git generator file must hold an object or a list of objects', {
        file,
        path: Array.isArray(parsed) ? `[${i}]` : undefined,
      });
    }
    const params: Record<string, string> = {};
    flatten(item, '', params);
    const dir = dirname(file);
    Object.assign(params, pathParams(dir, name), {
      [`${name}.filename`]: basename(file),
      [`${name}.filenameNormalized`]: normalizeName(basename(file)),
    });
    return withValues(generator, params);
  });
}

/**
 * Parameter sets of a git generator with `files`: for each file matching a glob (`**` allowed), in
 * path order, its JSON/YAML content flattened (`cluster.name`), one set per object (a file may
 * hold a list), with `path` (the file's directory), `path.basename`, `path.filename`, their
 * normalized forms and `path[n]`.
 */
export async function gitFileParamSets(
  generator: GitGenerator,
  fs: ReadonlyFileSystem,
  limits: GeneratorLimits,
  path: string,
): Promise<ParamSet[]> {
  const globs = (generator.files ?? []).map((f, i) =>
    globToRegExp(relativeGlob(f.path), { doubleStar: true, path: `${path}.files[${i}].path` }),
  );
  const files = (await walk(fs, limits, path)).filter(
    (e) => e.type === 'file' && globs.some((g) => g.test(e.path)),
  );
  if (files.length > limits.maxFiles) {
    throw new ValidationError(`the git file generator matches more than ${limits.maxFiles} files`, { path });
  }
  const out: ParamSet[] = [];
  for (const file of files) out.push(...(await fileParamSets(generator, fs, file.path, limits)));
  return out;
}
