/**
 * Generates packages/testkit/data/builtin-schemas.json: a compact schema of the built-in kinds testkit
 * serves (field names, descriptions, required fields, scalar types and formats, list items, maps,
 * int-or-string, quantity, opaque JSON) for strict field validation and the OpenAPI documents.
 *
 * Sources (both MIT, run once from a temporary directory, not dependencies of testkit):
 * - `kubernetes-models` and `@kubernetes-models/apimachinery`: their `.d.ts` interfaces carry the
 *   Kubernetes OpenAPI definitions' structure, descriptions and required fields;
 * - `@kubernetes/client-node` (already installed for @gitops-kit/cluster): its `attributeTypeMap`s
 *   carry the integer formats (`int32`, `int64`) that TypeScript's `number` loses.
 *
 * Usage (see the README):
 *   cd $(mktemp -d) && npm pack kubernetes-models@5.1.0 @kubernetes-models/apimachinery@3.0.2
 *   mkdir km am && tar xzf kubernetes-models-5.1.0.tgz -C km && tar xzf kubernetes-models-apimachinery-3.0.2.tgz -C am
 *   cd /work/main && npx tsx packages/testkit/scripts/generate-builtin-schemas.ts <tmp>/km/package <tmp>/am/package
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinResourceTypes } from '../src/resources.js';

const [modelsDir, machineryDir] = process.argv.slice(2);
if (!modelsDir || !machineryDir) {
  console.error(
    'usage: generate-builtin-schemas.ts <kubernetes-models dir> <@kubernetes-models/apimachinery dir>',
  );
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));

interface RawField {
  type: string;
  description: string;
  optional: boolean;
}
interface RawDef {
  name: string;
  description: string;
  fields: Map<string, RawField> | undefined; // undefined for a type alias
  alias?: string;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) {
      if (entry !== '_schemas' && entry !== 'node_modules') walk(p, out);
    } else if (entry.endsWith('.d.ts') && entry !== 'index.d.ts') out.push(p);
  }
  return out;
}

const SPECIAL_GROUP: Record<string, string> = {
  'apiextensions.k8s.io': 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions',
  'apiregistration.k8s.io': 'io.k8s.kube-aggregator.pkg.apis.apiregistration',
};

/** The OpenAPI definition name of a file, from where it sits in its package. */
function dottedName(root: string, file: string, machinery: boolean): string {
  const parts = relative(root, file)
    .replace(/\.d\.ts$/, '')
    .split('/');
  if (machinery) return `io.k8s.apimachinery.pkg.${parts.join('.')}`;
  if (parts.length === 2) return `io.k8s.api.core.${parts.join('.')}`;
  const [group, ...rest] = parts as [string, ...string[]];
  const prefix = SPECIAL_GROUP[group] ?? `io.k8s.api.${group.split('.')[0]}`;
  return `${prefix}.${rest.join('.')}`;
}

function idOf(dotted: string): string {
  return dotted
    .split(/[.-]/)
    .map((s) => s.charAt(0).toUpperCase() + s.slice(1))
    .join('');
}

function cleanComment(text: string): string {
  return text
    .replace(/^\/\*\*|\*\/$/g, '')
    .split('\n')
    .map((l) => l.replace(/^\s*\* ?/, ''))
    .join('\n')
    .trim();
}

const defs = new Map<string, RawDef>(); // by global id (IoK8s…)
const localAliases = new Map<string, Map<string, string>>(); // per definition id: local name → global id

function parseFile(root: string, file: string, machinery: boolean): void {
  const text = readFileSync(file, 'utf8');
  const name = dottedName(root, file, machinery);
  const id = idOf(name);
  const exported = /export type \{ (\w+) as I(IoK8s\w+)/.exec(text);
  if (!exported) return;
  if (exported[2] !== id) console.warn(`name mismatch: ${name} vs ${exported[2]}`);
  const locals = new Map<string, string>();
  for (const m of text.matchAll(/import \{ (I(IoK8s\w+)) \}/g)) locals.set(m[1] as string, m[2] as string);
  locals.set(exported[1] as string, exported[2] as string);
  localAliases.set(id, locals);
  const iface = new RegExp(
    `(/\\*\\*(?:(?!\\*/)[\\s\\S])*\\*/)?\\s*export interface ${exported[1]}(?: extends [^{]*)? \\{`,
  ).exec(text);
  if (iface) {
    let depth = 1;
    let i = iface.index + iface[0].length;
    const start = i;
    while (depth > 0 && i < text.length) {
      if (text[i] === '{') depth++;
      else if (text[i] === '}') depth--;
      i++;
    }
    const body = text.slice(start, i - 1);
    const fields = new Map<string, RawField>();
    const re = /(\/\*\*(?:(?!\*\/)[\s\S])*\*\/)?\s*"([^"]+)"(\??): ((?:[^;{]|\{[^}]*\})*);/g;
    for (const m of body.matchAll(re)) {
      fields.set(m[2] as string, {
        type: (m[4] as string).replace(/\s+/g, ' ').trim(),
        description: m[1] ? cleanComment(m[1]) : '',
        optional: m[3] === '?',
      });
    }
    defs.set(id, { name, description: iface[1] ? cleanComment(iface[1]) : '', fields });
    return;
  }
  const alias = new RegExp(
    `(/\\*\\*(?:(?!\\*/)[\\s\\S])*\\*/)?\\s*export type ${exported[1]} = ([^;]*);`,
  ).exec(text);
  if (alias)
    defs.set(id, {
      name,
      description: alias[1] ? cleanComment(alias[1]) : '',
      fields: undefined,
      alias: (alias[2] as string).trim(),
    });
}

for (const f of walk(modelsDir)) parseFile(modelsDir, f, false);
for (const f of walk(machineryDir)) parseFile(machineryDir, f, true);

// Integer formats from client-node's generated models.
const require = createRequire(join(here, '../../cluster/package.json'));
const clientNodeModels = join(dirname(require.resolve('@kubernetes/client-node')), 'gen/models');
const formats = new Map<string, string>(); // `${Version}${Type}.${field}` → format
for (const entry of readdirSync(clientNodeModels)) {
  if (!entry.endsWith('.js')) continue;
  const cls = entry.slice(0, -3);
  const m = /^(?:[A-Z][a-z]+)?(V\d+(?:alpha\d+|beta\d+)?)([A-Z]\w*)$/.exec(cls);
  if (!m) continue;
  const text = readFileSync(join(clientNodeModels, entry), 'utf8');
  for (const a of text.matchAll(/"baseName": "([^"]+)",\s*"type": "([^"]+)",\s*"format": "([^"]*)"/g)) {
    if (a[3]) formats.set(`${m[1]}${m[2]}.${a[1]}`, a[3] as string);
  }
}

function numberFormat(defName: string, field: string): string {
  const parts = defName.split('.');
  const type = parts.at(-1) as string;
  const version = parts.at(-2) as string;
  const key = `${version.charAt(0).toUpperCase()}${version.slice(1)}${type}.${field}`;
  const f = formats.get(key);
  if (f === 'double' || f === 'float') return 'number';
  if (f === 'int64') return 'integer:int64';
  return 'integer:int32';
}

// Compact output: a field type is a string — a scalar (`string`, `boolean`, `integer:int32`,
// `integer:int64`, `number`, `date-time`, `quantity`, `int-or-string`, `byte`, `any`), `@<name>` a
// definition, `[]<type>` a list, `{}<type>` a map.
interface OutDef {
  d?: string;
  r?: string[];
  p: Record<string, [string, string] | [string]>;
}
const out: Record<string, OutDef> = {};
const queue: string[] = [];

function refType(id: string): string {
  const def = defs.get(id);
  if (!def) return 'any';
  if (def.fields === undefined) {
    if (id.endsWith('ResourceQuantity')) return 'quantity';
    if (id.endsWith('IntOrString')) return 'int-or-string';
    if (id.endsWith('V1Time') || id.endsWith('V1MicroTime')) return 'date-time';
    return 'any';
  }
  if (def.fields.size === 0) return 'any'; // RawExtension, FieldsV1, JSON: any JSON value
  if (!(def.name in out)) queue.push(id);
  return `@${def.name}`;
}

function convert(type: string, owner: RawDef, field: string, locals: Map<string, string>): string {
  const t = type.trim();
  if (t === 'string' || /^"[^"]*"(\s*\|\s*"[^"]*")*$/.test(t)) return 'string';
  if (t === 'boolean') return 'boolean';
  if (t === 'number') return numberFormat(owner.name, field);
  const arr = /^Array<(.*)>$/.exec(t);
  if (arr) return `[]${convert(arr[1] as string, owner, field, locals)}`;
  const map = /^\{ \[key: string\]: (.*?);? \}$/.exec(t);
  if (map) return `{}${convert(map[1] as string, owner, field, locals)}`;
  const idx = /^I\w+\["(\w+)"\]$/.exec(t);
  if (idx) return 'string';
  const global = locals.get(t) ?? (t.startsWith('IIoK8s') ? t.slice(1) : undefined);
  if (global) return refType(global);
  return 'any';
}

const kinds: Record<string, string> = {};
for (const type of builtinResourceTypes()) {
  const groupDir = type.group === '' ? '' : `${type.group}/`;
  const dotted = dottedName(
    modelsDir,
    join(modelsDir, `${groupDir}${type.version}/${type.kind}.d.ts`),
    false,
  );
  const id = idOf(dotted);
  if (!defs.has(id)) {
    console.warn(`no definition for ${type.group}/${type.version} ${type.kind}`);
    continue;
  }
  kinds[`${type.group}/${type.version}/${type.kind}`] = refType(id).slice(1);
}
for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
  const def = defs.get(id) as RawDef;
  if (def.name in out) continue;
  const locals = localAliases.get(id) ?? new Map();
  const entry: OutDef = { p: {} };
  out[def.name] = entry;
  if (def.description) entry.d = def.description;
  const required: string[] = [];
  for (const [name, f] of def.fields ?? []) {
    const t = convert(f.type, def, name, locals);
    entry.p[name] = f.description ? [t, f.description] : [t];
    if (!f.optional) required.push(name);
  }
  if (required.length > 0) entry.r = required;
}

const target = join(here, '../data/builtin-schemas.json');
const sorted = Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync(
  target,
  `${JSON.stringify({ source: 'kubernetes-models@5.1.0, @kubernetes-models/apimachinery@3.0.2, @kubernetes/client-node formats', kinds, definitions: sorted })}\n`,
);
console.log(`${Object.keys(kinds).length} kinds, ${Object.keys(sorted).length} definitions → ${target}`);
