/**
 * Random patches for the fuzzer: strategic merge patches (with `$patch: delete/replace`), JSON 6902
 * operations, and target selectors of every field, all aimed at objects that exist in the layer
 * most of the time.
 */
import type { JsonObject, JsonValue } from '@gitops-kit/core';
import {
  ANNOTATION_KEYS,
  CONFIG_NAMES,
  CR,
  IMAGES,
  LABEL_KEYS,
  LABEL_VALUES,
  NAMES,
  NAMESPACES,
  POD_SPEC_PATH,
} from './gen-resources.js';
import type { Rng } from './prng.js';

/** An object a layer can see: its identity and its content as generated. */
export interface Known {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string | undefined;
  /** Every name it had, the first as written (kustomize matches some fields by any of them). */
  names: string[];
  obj: JsonObject;
}

function isObj(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nest(path: readonly string[], leaf: JsonValue): JsonObject {
  let v: JsonValue = leaf;
  for (let i = path.length - 1; i >= 0; i--) v = { [path[i] as string]: v };
  return v as JsonObject;
}

function group(apiVersion: string): string {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

function version(apiVersion: string): string {
  return apiVersion.slice(apiVersion.lastIndexOf('/') + 1);
}

/** The body of a strategic merge patch for `o` (without its identity). */
function smpBody(rng: Rng, o: Known): JsonObject {
  const podPath = POD_SPEC_PATH[o.kind];
  const choices: (() => JsonObject)[] = [
    () => ({ metadata: { labels: { [rng.pick(LABEL_KEYS)]: rng.pick(LABEL_VALUES) } } }),
    () => ({
      metadata: { annotations: { [rng.pick(ANNOTATION_KEYS)]: rng.pick(['patched', 'null-ish', '']) } },
    }),
    () => ({ metadata: { labels: { app: null } } }),
  ];
  if (podPath) {
    const c = (extra: JsonObject) =>
      nest(podPath, { containers: [{ name: rng.pick(['main', 'sidecar', 'extra']), ...extra }] });
    choices.push(
      () => c({ image: rng.pick(IMAGES) }),
      () => c({ env: [{ name: rng.pick(['MODE', 'NEW']), value: rng.pick(['patched', '$(SVC_HOST)']) }] }),
      () => c({ $patch: 'delete' }),
      () => c({ args: ['--patched'] }),
      () => c({ ports: [{ containerPort: 9090, name: 'metrics' }] }),
      () => nest(podPath, { volumes: [{ name: 'extra', configMap: { name: rng.pick(CONFIG_NAMES) } }] }),
      () => nest(podPath, { serviceAccountName: rng.pick(['runner', 'deployer']) }),
      () => nest(podPath, { nodeSelector: { disk: 'ssd' } }),
      () => nest(podPath, { initContainers: null }),
    );
    choices.push(
      () => nest(podPath, { containers: [{ $patch: 'replace' }, { name: 'only', image: 'busybox' }] }),
      () =>
        nest(podPath, {
          containers: [{ name: 'main', '$deleteFromPrimitiveList/args': ['-v', '--port=8080'] }],
        }),
    );
    if (podPath.length > 1) {
      const tmpl = podPath.slice(0, -1);
      choices.push(
        () => nest([...tmpl, 'metadata'], { labels: { [rng.pick(LABEL_KEYS)]: rng.pick(LABEL_VALUES) } }),
        () => nest([...tmpl, 'metadata'], { annotations: { $patch: 'replace', only: 'this' } }),
      );
    }
    if (['Deployment', 'StatefulSet', 'ReplicaSet'].includes(o.kind))
      choices.push(() => ({ spec: { replicas: rng.range(0, 9) } }));
    if (o.kind !== 'Pod' && o.kind !== 'Job' && o.kind !== 'CronJob')
      choices.push(() => ({
        spec: { selector: { $patch: 'replace', matchLabels: { app: rng.pick(NAMES) } } },
      }));
  }
  switch (o.kind) {
    case 'Service':
      choices.push(
        () => ({ spec: { ports: [{ port: 80, targetPort: 9090 }] } }),
        () => ({ spec: { selector: { tier: 'backend' } } }),
        () => ({ spec: { ports: [{ port: 80, $patch: 'delete' }] } }),
      );
      choices.push(() => ({ spec: { ports: [{ port: 443, name: 'https' }] } }));
      break;
    case 'ConfigMap':
    case 'Secret':
      choices.push(
        () => ({ data: { [rng.pick(['a', 'new'])]: o.kind === 'Secret' ? 'bmV3' : 'patched' } }),
        () => ({ data: { a: null } }),
        () => ({ data: { $patch: 'replace', only: o.kind === 'Secret' ? 'eA==' : 'x' } }),
      );
      break;
    case CR.kind:
      choices.push(
        () => ({ spec: { size: rng.range(5, 9) } }),
        () => ({ spec: { items: [{ name: 'a', value: 'patched' }] } }),
        () => ({ spec: { configRef: { name: rng.pick(CONFIG_NAMES) } } }),
      );
      break;
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      choices.push(() => ({
        subjects: [{ kind: 'ServiceAccount', name: 'patched', namespace: rng.pick(NAMESPACES) }],
      }));
      break;
  }
  const n = rng.range(1, 2);
  let body: JsonObject = {};
  for (let i = 0; i < n; i++) body = merge(body, rng.pick(choices)());
  return JSON.parse(JSON.stringify(body)) as JsonObject;
}

function merge(a: JsonObject, b: JsonObject): JsonObject {
  const out: JsonObject = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] = isObj(cur) && isObj(v) ? merge(cur, v) : v;
  }
  return out;
}

/** A strategic merge patch of `o`; `withId` adds the identity a target-less patch needs. */
export function strategicMergePatch(rng: Rng, o: Known, withId = true): JsonObject {
  if (rng.chance(0.06)) {
    return { apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.name }, $patch: 'delete' };
  }
  const body = smpBody(rng, o);
  const metadata = { ...(isObj(body.metadata) ? body.metadata : {}) } as JsonObject;
  // kustomize needs a name even when a target selects: it is then ignored.
  metadata.name = withId ? (rng.chance(0.99) ? o.name : `${o.name}-other`) : rng.pick([o.name, 'ignored']);
  // An object in a namespace is found by a patch that names it (kustomize compares namespaces).
  if (withId && o.namespace && rng.chance(0.99)) metadata.namespace = o.namespace;
  const patch: JsonObject = { apiVersion: o.apiVersion, kind: o.kind, metadata, ...body };
  patch.metadata = metadata;
  return patch;
}

/** A JSON pointer segment, escaped. */
function ptr(...segs: string[]): string {
  return `/${segs.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}

function has(obj: JsonValue | undefined, path: readonly string[]): boolean {
  let cur: JsonValue | undefined = obj;
  for (const seg of path) {
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (isObj(cur)) cur = cur[seg];
    else return false;
    if (cur === undefined) return false;
  }
  return true;
}

/** JSON 6902 operations for `o`, valid against its generated content (mostly). */
export function jsonPatchOps(rng: Rng, o: Known): JsonValue[] {
  const podPath = POD_SPEC_PATH[o.kind];
  const at = (...p: string[]) => has(o.obj, p);
  const choices: (() => JsonObject)[] = [
    () => ({ op: 'add', path: ptr('metadata', 'annotations'), value: { 'example.com/json': 'yes' } }),
    () => ({ op: 'test', path: ptr('kind'), value: o.kind }),
    () => ({ op: 'add', path: ptr('metadata', 'labels'), value: { [rng.pick(LABEL_KEYS)]: 'json' } }),
  ];
  if (rng.chance(0.1))
    choices.push(() => ({ op: 'replace', path: ptr('metadata', 'name'), value: `${o.name}-renamed` }));
  if (at('metadata', 'labels')) {
    choices.push(() => ({
      op: 'add',
      path: ptr('metadata', 'labels', rng.pick(LABEL_KEYS)),
      value: rng.pick(LABEL_VALUES),
    }));
    if (at('metadata', 'labels', 'app'))
      choices.push(() => ({ op: 'remove', path: ptr('metadata', 'labels', 'app') }));
  }
  if (at('metadata', 'annotations'))
    choices.push(() => ({
      op: 'copy',
      from: ptr('metadata', 'name'),
      path: ptr('metadata', 'annotations', 'copied/name'),
    }));
  if (podPath) {
    const c0 = [...podPath, 'containers', '0'];
    choices.push(
      () => ({ op: 'replace', path: ptr(...c0, 'image'), value: rng.pick(IMAGES) }),
      () => ({ op: 'add', path: ptr(...c0, 'args'), value: ['--json', '$(POD_NAME)'] }),
      () => ({
        op: 'add',
        path: ptr(...podPath, 'containers', '-'),
        value: { name: 'json', image: rng.pick(IMAGES) },
      }),
      () => ({ op: 'add', path: ptr(...podPath, 'serviceAccountName'), value: 'runner' }),
      () => ({ op: 'test', path: ptr(...c0, 'name'), value: 'main' }),
    );
    if (at(...c0, 'env'))
      choices.push(() => ({
        op: 'add',
        path: ptr(...c0, 'env', '-'),
        value: { name: 'JSON', value: '$(SVC_HOST)' },
      }));
    else choices.push(() => ({ op: 'add', path: ptr(...c0, 'env'), value: [{ name: 'JSON', value: 'x' }] }));
    if (at(...podPath, 'containers', '1'))
      choices.push(() => ({ op: 'remove', path: ptr(...podPath, 'containers', '1') }));
    if (at('metadata', 'annotations'))
      choices.push(() => ({
        op: 'move',
        from: ptr(...c0, 'image'),
        path: ptr('metadata', 'annotations', 'moved-image'),
      }));
    if (at('spec', 'replicas'))
      choices.push(() => ({ op: 'replace', path: ptr('spec', 'replicas'), value: rng.range(0, 7) }));
  }
  if (o.kind === 'Service')
    choices.push(() => ({ op: 'replace', path: ptr('spec', 'ports', '0', 'port'), value: 8443 }));
  if (o.kind === 'ConfigMap' && at('data'))
    choices.push(() => ({ op: 'add', path: ptr('data', 'json.key'), value: 'v' }));
  if (o.kind === CR.kind) choices.push(() => ({ op: 'replace', path: ptr('spec', 'size'), value: 42 }));
  const ops: JsonValue[] = [];
  const n = rng.range(1, 2);
  for (let i = 0; i < n; i++) ops.push(rng.pick(choices)());
  return ops;
}

/** A patch target selecting `o` (or, sometimes, a neighbour) by one or several fields. */
export function target(rng: Rng, o: Known, legacy = false, withKind = false): JsonObject {
  const t: JsonObject = {};
  const g = group(o.apiVersion);
  if (legacy) {
    // patchesJson6902 targets are ids: kind and name, with group/version/namespace.
    if (g) t.group = g;
    if (rng.chance(0.7)) t.version = version(o.apiVersion);
    t.kind = o.kind;
    t.name = o.name;
    if (o.namespace && rng.chance(0.99)) t.namespace = o.namespace;
    return t;
  }
  const fields = rng.some(['gvk', 'kind', 'name', 'nameRegex', 'namespace', 'labels', 'annotations'], 3, 1);
  // JSON patches address fields of one kind: a target across kinds mostly fails on both sides.
  if (withKind && !fields.includes('kind') && !fields.includes('gvk')) fields.push('kind');
  for (const f of fields) {
    switch (f) {
      case 'gvk':
        if (g || rng.chance(0.5)) t.group = g;
        t.version = version(o.apiVersion);
        t.kind = o.kind;
        break;
      case 'kind':
        t.kind = rng.chance(0.95) ? o.kind : 'Deployment';
        break;
      case 'name':
        t.name = o.name;
        break;
      case 'nameRegex':
        t.name = rng.pick([
          `${o.name.slice(0, 2)}.*`,
          `${o.name}|${rng.pick(NAMES)}`,
          '.*',
          `(${o.name})`,
          '[a-z]+',
        ]);
        break;
      case 'namespace':
        if (o.namespace || rng.chance(0.1)) t.namespace = o.namespace ?? rng.pick(NAMESPACES);
        break;
      case 'labels':
        t.labelSelector = rng.pick([
          `app=${o.name}`,
          `app in (${o.name},${rng.pick(NAMES)})`,
          `!team`,
          'tier',
          `app!=${rng.pick(NAMES)}`,
          'tier=backend,app',
        ]);
        break;
      case 'annotations':
        t.annotationSelector = rng.pick(['note', 'example.com/owner=x', '!checksum', 'note in (x,true)']);
        break;
    }
  }
  return t;
}
