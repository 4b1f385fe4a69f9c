import { posix } from 'node:path';
import {
  formatYamlPath,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  jsonEqual,
  type KubeObject,
  type ObjectKey,
  objectKeyOf,
  parseApiVersion,
  parseYamlDocuments,
  type ReadonlyFileSystem,
  type YamlDocument,
} from '@gitops-kit/core';
import type { SourceLocation } from '@gitops-kit/kustomize';
import { type SchemaFinding, validateBuiltinObject } from '@gitops-kit/testkit';
import { type CrdSchemas, validateCustomObject } from './crd-schemas.js';

/** One problem of a rendered object against its schema, located in the source. */
export interface ValidationProblem {
  /** The object. */
  key: ObjectKey;
  /** The source file, repository-relative (the object's document, or the file of the field). */
  file: string;
  /** 1-based line of the field (or of the object's document when the field is not in the source). */
  line: number;
  /** The field path, `spec.template.spec.containers[0].image`. */
  field: string;
  /** `unknown-field`, `wrong-type` or `required`. */
  reason: SchemaFinding['reason'];
  /** For a person. */
  message: string;
}

/** What validating a set of objects found. */
export interface ValidationResult {
  /** Objects checked against a schema. */
  checked: number;
  /** Objects of a kind no schema was found for (built-in data or a CRD of the tree), by `group/version/Kind`. */
  skipped: string[];
  /** The problems, in object order. */
  problems: ValidationProblem[];
}

/** Parsed source files, so each is read and parsed once per revision. */
export type SourceCache = Map<string, Promise<YamlDocument[] | undefined>>;

async function documentsOf(fs: ReadonlyFileSystem, file: string, cache: SourceCache) {
  let docs = cache.get(file);
  if (!docs) {
    docs = fs
      .readFile(`/${file}`)
      .then((b) => parseYamlDocuments(Buffer.from(b).toString('utf8')))
      .catch(() => undefined);
    cache.set(file, docs);
  }
  return docs;
}

function valueAt(value: JsonValue | undefined, path: readonly (string | number)[]): JsonValue | undefined {
  let cur = value;
  for (const part of path) {
    if (typeof part === 'number') cur = Array.isArray(cur) ? cur[part] : undefined;
    else cur = isJsonObject(cur) ? cur[part] : undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

/**
 * Where a field of a rendered object was written: the object's own document when it holds the
 * same value there, else the first other file the render read (a patch) with a document of the
 * same kind holding that value, else the longest prefix of the path in the object's document.
 */
async function locate(
  obj: KubeObject,
  path: (string | number)[],
  source: { file: string; line: number },
  options: { fs: ReadonlyFileSystem; cache: SourceCache; read: readonly string[] },
): Promise<{ file: string; line: number }> {
  const wanted = valueAt(obj as unknown as JsonValue, path);
  const docs = await documentsOf(options.fs, source.file, options.cache);
  const doc = docs?.filter((d) => d.line <= source.line).at(-1);
  const same = (d: YamlDocument) => {
    const v = valueAt(d.value, path);
    return v !== undefined && wanted !== undefined && jsonEqual(v, wanted);
  };
  if (doc && same(doc)) return { file: source.file, line: doc.positionOf(path)?.line ?? doc.line };
  if (wanted !== undefined) {
    for (const file of options.read) {
      if (file === source.file || !/\.(ya?ml|json)$/.test(file)) continue;
      for (const d of (await documentsOf(options.fs, file, options.cache)) ?? []) {
        if (isJsonObject(d.value) && d.value.kind === obj.kind && same(d))
          return { file, line: d.positionOf(path)?.line ?? d.line };
      }
    }
  }
  if (!doc) return source;
  for (let n = path.length; n > 0; n--) {
    const pos = doc.positionOf(path.slice(0, n));
    if (pos) return { file: source.file, line: pos.line };
  }
  return { file: source.file, line: doc.line };
}

/**
 * Checks each object against the built-in schema of its kind (testkit's data) or the schema of a
 * CRD in `crds`, as kubeconform does with `-strict`, and places each problem at the file and line
 * of the field in the source (`sources` index for index with `objects`, paths relative to `appDir`
 * in `fs`). A field a transformer added is placed at its object's document.
 */
export async function validateObjects(
  objects: readonly KubeObject[],
  sources: readonly SourceLocation[],
  options: {
    fs: ReadonlyFileSystem;
    appDir: string;
    crds: CrdSchemas;
    cache: SourceCache;
    /** The files the render read (repository-relative): where a patched field is looked for. */
    read?: readonly string[] | undefined;
  },
): Promise<ValidationResult> {
  const result: ValidationResult = { checked: 0, skipped: [], problems: [] };
  for (const [i, obj] of objects.entries()) {
    const json = obj as unknown as JsonObject;
    let findings = validateBuiltinObject(json);
    if (findings === undefined) {
      const { group, version } = parseApiVersion(obj.apiVersion ?? '');
      const schema = options.crds.get(`${group}/${version}/${obj.kind}`);
      if (schema === undefined) {
        const gvk = `${group}/${version}/${obj.kind}`;
        if (!result.skipped.includes(gvk)) result.skipped.push(gvk);
        continue;
      }
      findings = validateCustomObject(json, schema);
    }
    result.checked++;
    const source = sources[i];
    const file = source ? posix.normalize(posix.join(options.appDir, source.file)) : options.appDir;
    for (const f of findings) {
      const where =
        source && !source.remote
          ? await locate(obj, f.path, { file, line: source.line }, { ...options, read: options.read ?? [] })
          : { file, line: 0 };
      result.problems.push({
        key: objectKeyOf(obj),
        file: where.file,
        line: where.line,
        field: formatYamlPath(f.path),
        reason: f.reason,
        message: f.message,
      });
    }
  }
  return result;
}
