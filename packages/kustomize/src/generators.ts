import { posix } from 'node:path';
import { type JsonObject, ValidationError } from '@gitops-kit/core';
import { Resource } from './resource.js';

/** `generatorOptions` and a generator's `options`. */
export interface GeneratorOptions {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  disableNameSuffixHash?: boolean;
  immutable?: boolean;
}

/** One `configMapGenerator` / `secretGenerator` entry. */
export interface GeneratorArgs {
  name?: string;
  namespace?: string;
  behavior?: string;
  literals?: string[];
  files?: string[];
  envs?: string[];
  env?: string;
  options?: GeneratorOptions;
  type?: string;
}

/** Reads files for a generator, relative to its kustomization and inside its root. */
export type GeneratorFileReader = (path: string) => Promise<Uint8Array>;

function removeQuotes(s: string): string {
  if (s.length >= 2 && s[0] === s[s.length - 1] && (s[0] === '"' || s[0] === "'")) return s.slice(1, -1);
  return s;
}

function parseEnvFile(text: string): [string, string][] {
  const out: [string, string][] = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  lines.forEach((raw) => {
    const line = raw.replace(/\r$/, '').replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const key = eq >= 0 ? line.slice(0, eq) : line;
    // kustomize v5.5 takes any key as written (`a b`, `1A`, `export K`), skips a line whose key is
    // empty (`=x`), and gives a key without `=` an empty value (it reads no environment variable).
    if (key === '') return;
    out.push([key, eq >= 0 ? line.slice(eq + 1) : '']);
  });
  return out;
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

// kyaml writes base64 longer than 70 characters as lines of 70, each ending in a newline.
function wrapBase64(b64: string): string {
  if (b64.length <= 70) return b64;
  let out = '';
  for (let i = 0; i < b64.length; i += 70) out += `${b64.slice(i, i + 70)}\n`;
  return out;
}

/** Merges kustomization-wide `generatorOptions` into a generator's own. */
export function mergeGeneratorOptions(
  global: GeneratorOptions | undefined,
  local: GeneratorOptions | undefined,
): GeneratorOptions {
  const out: GeneratorOptions = {};
  const labels = { ...(global?.labels ?? {}), ...(local?.labels ?? {}) };
  const annotations = { ...(global?.annotations ?? {}), ...(local?.annotations ?? {}) };
  if (Object.keys(labels).length > 0) out.labels = labels;
  if (Object.keys(annotations).length > 0) out.annotations = annotations;
  out.disableNameSuffixHash = Boolean(global?.disableNameSuffixHash || local?.disableNameSuffixHash);
  if (global?.immutable || local?.immutable) out.immutable = true;
  return out;
}

/** Builds the ConfigMap or Secret one generator entry describes. */
export async function generate(
  kind: 'ConfigMap' | 'Secret',
  args: GeneratorArgs,
  globalOptions: GeneratorOptions | undefined,
  read: GeneratorFileReader,
  file: string,
): Promise<Resource> {
  if (!args.name) throw new ValidationError(`a ${kind} generator needs a name`, { file });
  const entries: [string, string | Uint8Array][] = [];
  const seen = new Set<string>();
  const add = (key: string, value: string | Uint8Array) => {
    if (seen.has(key)) {
      throw new ValidationError(`${kind.toLowerCase()} ${args.name} illegally repeats the key \`${key}\``, {
        file,
      });
    }
    seen.add(key);
    entries.push([key, value]);
  };
  const envs = [...(args.envs ?? []), ...(args.env ? [args.env] : [])];
  for (const env of envs) {
    const text = new TextDecoder().decode(await read(env));
    for (const [k, v] of parseEnvFile(text)) add(k, v);
  }
  for (const lit of args.literals ?? []) {
    const eq = lit.indexOf('=');
    // A leading `=` (an empty key) is as invalid as no `=` at all (kustomize parseLiteralSource).
    if (eq <= 0) throw new ValidationError(`invalid literal source ${lit}, expected key=value`, { file });
    add(lit.slice(0, eq), removeQuotes(lit.slice(eq + 1)));
  }
  for (const f of args.files ?? []) {
    const eq = f.indexOf('=');
    let key: string;
    let path: string;
    if (eq >= 0) {
      key = f.slice(0, eq);
      path = f.slice(eq + 1);
      if (!key) throw new ValidationError(`key names or file paths cannot be empty: ${f}`, { file });
    } else {
      path = f;
      key = posix.basename(f);
    }
    add(key, await read(path));
  }
  const opts = mergeGeneratorOptions(globalOptions, args.options);
  const metadata: JsonObject = { name: args.name };
  if (args.namespace) metadata.namespace = args.namespace;
  if (opts.labels) metadata.labels = { ...opts.labels };
  if (opts.annotations) metadata.annotations = { ...opts.annotations };
  const obj: JsonObject = { apiVersion: 'v1', kind, metadata };
  if (kind === 'ConfigMap') {
    const data: JsonObject = {};
    const binaryData: JsonObject = {};
    for (const [k, v] of entries) {
      if (typeof v === 'string') data[k] = v;
      else if (isUtf8(v)) data[k] = new TextDecoder().decode(v);
      else binaryData[k] = wrapBase64(Buffer.from(v).toString('base64'));
    }
    if (Object.keys(data).length > 0) obj.data = data;
    if (Object.keys(binaryData).length > 0) obj.binaryData = binaryData;
  } else {
    const data: JsonObject = {};
    for (const [k, v] of entries)
      data[k] = wrapBase64(
        Buffer.from(typeof v === 'string' ? new TextEncoder().encode(v) : v).toString('base64'),
      );
    obj.data = data;
    obj.type = args.type || 'Opaque';
  }
  if (opts.immutable) obj.immutable = true;
  const r = new Resource(obj, { file, line: 1 });
  // kustomize's generators set the name with kyaml's SetK8sName: an untagged node.
  r.untagName(false);
  r.needsHash = !opts.disableNameSuffixHash;
  // kustomize reads any other behavior (`add`, `Merge`, "") as unspecified, which acts as create.
  const behavior = args.behavior;
  r.behavior = behavior === 'merge' || behavior === 'replace' ? behavior : 'create';
  return r;
}
