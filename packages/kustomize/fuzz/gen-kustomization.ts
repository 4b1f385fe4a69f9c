/**
 * The fields of one random kustomization (or component): generators with every option, name and
 * namespace changes, labels and annotations, images, replicas, patches of every form, replacements
 * with every path syntax, vars, sort options and the custom-kind configurations (configurations,
 * crds, openapi). Files the fields name are added to the tree.
 */
import type { JsonObject, JsonValue } from '@gitops-kit/core';
import { jsonPatchOps, type Known, strategicMergePatch, target } from './gen-patches.js';
import {
  ANNOTATION_KEYS,
  apiVersionOf,
  CONFIG_NAMES,
  CR,
  IMAGE_NAMES,
  LABEL_KEYS,
  LABEL_VALUES,
  NAMES,
  NAMESPACES,
  POD_SPEC_PATH,
  SECRET_NAMES,
} from './gen-resources.js';
import type { Rng } from './prng.js';
import { type FileBody, inlineYaml } from './tree.js';

/** What the generator knows about the layer it writes a kustomization for. */
export interface LayerContext {
  /** The layer's directory in the tree (`base`, `overlay`, `components/c1`). */
  dir: string;
  /** The objects the layer's transformers see (from its resources, bases and generators). */
  visible: Known[];
  /** The objects its generators see, when not `visible` (they run before its components). */
  generatorsSee?: Known[];
  /** The tree's files, to which this layer adds its patch, env and schema files. */
  files: Record<string, FileBody>;
  /** The rendered (top) kustomization. */
  top: boolean;
  /** Prefix of the names of objects this layer creates, unique in the tree. */
  tag: string;
  /** Whether the tree has the custom resource kind. */
  hasCustomKind: boolean;
}

function stringMap(rng: Rng, keys: readonly string[], values: readonly string[], max = 2): JsonObject {
  const out: JsonObject = {};
  for (const k of rng.some(keys, max, 1)) out[k] = rng.pick(values);
  return out;
}

/** Adds a file of the layer and returns its path relative to the layer. */
function addFile(ctx: LayerContext, name: string, body: FileBody): string {
  let rel = name;
  for (let i = 2; `${ctx.dir}/${rel}` in ctx.files; i++) rel = name.replace(/(\.[a-z]+)?$/, `-${i}$1`);
  ctx.files[`${ctx.dir}/${rel}`] = body;
  return rel;
}

function generatorOptions(rng: Rng): JsonObject {
  const o: JsonObject = {};
  if (rng.chance(0.4)) o.labels = stringMap(rng, LABEL_KEYS, LABEL_VALUES);
  if (rng.chance(0.3)) o.annotations = stringMap(rng, ANNOTATION_KEYS, ['gen', 'x']);
  if (rng.chance(0.4)) o.disableNameSuffixHash = rng.chance(0.8);
  if (rng.chance(0.2)) o.immutable = true;
  return o;
}

function generator(rng: Rng, ctx: LayerContext, kind: 'ConfigMap' | 'Secret'): JsonObject {
  const seen = ctx.generatorsSee ?? ctx.visible;
  const existing = seen.filter((k) => k.kind === kind);
  const g: JsonObject = {};
  const behavior =
    existing.length > 0 && rng.chance(0.5)
      ? rng.pick(['merge', 'replace'])
      : rng.chance(0.1)
        ? 'create'
        : undefined;
  if (behavior) g.behavior = behavior;
  const basis = behavior && behavior !== 'create' ? rng.pick(existing) : undefined;
  // A new object's name must be free (kustomize compares every name an object had), or it is refused.
  const taken = new Set([...seen, ...ctx.visible].filter((k) => k.kind === kind).flatMap((k) => k.names));
  const pool = kind === 'ConfigMap' ? [...CONFIG_NAMES, 'generated'] : [...SECRET_NAMES, 'gen-secret'];
  const free = pool.map((n) => `${ctx.tag}${n}`).filter((n) => !taken.has(n) || rng.chance(0.02));
  g.name = basis
    ? rng.pick(basis.names)
    : free.length > 0
      ? rng.pick(free)
      : `${ctx.tag}${kind.toLowerCase()}-new`;
  if (basis?.namespace && rng.chance(0.97)) g.namespace = basis.namespace;
  else if (rng.chance(0.1)) g.namespace = rng.pick(NAMESPACES);
  if (rng.chance(0.7))
    g.literals = rng.some(
      ['a=1', 'mode=prod', 'k1=two words', 'quoted="q v"', "single='s'", 'empty=', 'url=http://x?y=1'],
      3,
      1,
    );
  if (rng.chance(0.35)) {
    const file = addFile(ctx, rng.pick(['data.txt', 'app.properties']), {
      text: rng.pick(['hello\n', 'x=1\ny=2\n', 'no newline', '']),
    });
    g.files = [rng.chance(0.5) ? file : `${rng.pick(['file-key', 'data'])}=${file}`];
  }
  if (rng.chance(0.3)) {
    const env = addFile(ctx, 'vars.env', {
      text: rng.pick(['A=1\nB=two words\n', '# comment\nMODE=dev\n\nC="quoted"\n', 'KEY=value', ' X=1\nY\n']),
    });
    g.envs = [env];
  }
  if (kind === 'Secret' && rng.chance(0.2)) g.type = rng.pick(['Opaque', 'kubernetes.io/basic-auth']);
  if (rng.chance(0.4)) g.options = generatorOptions(rng);
  return g;
}

function images(rng: Rng): JsonValue[] {
  return rng.some(IMAGE_NAMES, 2, 1).map((name) => {
    const e: JsonObject = { name };
    const f = rng.some(['newName', 'newTag', 'digest'], 2, 1);
    if (f.includes('newName')) e.newName = rng.pick(['mirror.example.com/img', 'nginx', 'quay.io/x/y']);
    if (f.includes('newTag')) e.newTag = rng.pick(['v2', '1.26', 'latest']);
    if (f.includes('digest'))
      e.digest = 'sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210';
    return e;
  });
}

function labelsEntry(rng: Rng, ctx: LayerContext): JsonObject {
  const l: JsonObject = { pairs: stringMap(rng, LABEL_KEYS, LABEL_VALUES) };
  if (rng.chance(0.4)) l.includeSelectors = rng.chance(0.8);
  if (rng.chance(0.4)) l.includeTemplates = rng.chance(0.8);
  if (rng.chance(0.2)) {
    const fs: JsonObject = {
      path: rng.pick(['spec/selector', 'spec/template/metadata/labels', 'metadata/annotations']),
    };
    if (rng.chance(0.7))
      fs.kind = rng.pick(ctx.hasCustomKind ? [CR.kind, 'Service', 'Deployment'] : ['Service', 'Deployment']);
    if (rng.chance(0.5)) fs.create = true;
    l.fields = [fs];
  }
  return l;
}

function isObj(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True when the generator's dot path (`a.[k=v].b`, `a.0`, `*`, `[x.y]`) reaches a field of `v`. */
export function reaches(v: JsonValue | undefined, path: string): boolean {
  const segs = path.match(/\[[^\]]*\]|[^.]+/g) ?? [];
  let cur: (JsonValue | undefined)[] = [v];
  for (const seg of segs) {
    const next: (JsonValue | undefined)[] = [];
    for (const c of cur) {
      const m = seg.match(/^\[([^=\]]+)=([^\]]*)\]$/);
      if (m && Array.isArray(c))
        next.push(...c.filter((e) => isObj(e) && String(e[m[1] as string]) === m[2]));
      else if (seg === '*' && Array.isArray(c)) next.push(...c);
      else if (/^\d+$/.test(seg) && Array.isArray(c)) next.push(c[Number(seg)]);
      else if (isObj(c)) next.push(c[seg.replace(/^\[|\]$/g, '')]);
    }
    cur = next.filter((x) => x !== undefined && x !== null);
    if (cur.length === 0) return false;
  }
  return true;
}

const NUMERIC = /^(spec\.replicas|spec\.size|spec\.ports\..*(port|targetPort))$/i;

/**
 * Field paths (kyaml syntax) a replacement may read from or write to, for an object. Numeric fields
 * are written only from numeric sources: a string in `replicas` fails on both sides, uninterestingly.
 */
function dotPaths(o: Known, forTarget: boolean, numeric = true): string[] {
  const paths = [
    'metadata.name',
    'metadata.labels.app',
    'metadata.labels.[app.kubernetes.io/name]',
    'metadata.annotations.note',
  ];
  if (forTarget) paths.push('metadata.annotations.[a.b/c]', 'metadata.annotations.[example.com/owner]');
  const pod = POD_SPEC_PATH[o.kind];
  if (pod) {
    const p = pod.join('.');
    paths.push(
      `${p}.containers.[name=main].image`,
      `${p}.containers.0.image`,
      `${p}.containers.[name=main].env.[name=MODE].value`,
      `${p}.serviceAccountName`,
    );
    if (forTarget)
      paths.push(
        `${p}.containers.*.image`,
        `${p}.containers.[name=main].args.0`,
        `${p}.containers.[image=nginx].name`,
      );
    if (pod.length > 1) paths.push(`${pod.slice(0, -1).join('.')}.metadata.labels.app`);
    if (o.kind !== 'Pod') paths.push('spec.replicas');
  }
  if (o.kind === 'Service')
    paths.push('spec.ports.0.port', 'spec.ports.[name=http].targetPort', 'spec.selector.app');
  if (o.kind === 'ConfigMap' || o.kind === 'Secret')
    paths.push('data.a', 'data.[app.properties]', 'data.mode');
  if (o.kind === CR.kind)
    paths.push(
      'spec.size',
      'spec.image',
      'spec.items.[name=a].value',
      'spec.configRef.name',
      'spec.items.1.value',
    );
  if (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')
    paths.push('subjects.0.name', 'subjects.[kind=ServiceAccount].namespace', 'roleRef.name');
  return paths.filter((x) => numeric === NUMERIC.test(x) || (numeric && !forTarget));
}

function selector(rng: Rng, o: Known, narrow: boolean): JsonObject {
  const s: JsonObject = {};
  if (narrow || rng.chance(0.85)) s.kind = o.kind;
  if (narrow || rng.chance(0.6)) s.name = o.name;
  if (rng.chance(0.15) && o.apiVersion.includes('/')) s.group = o.apiVersion.split('/')[0] as string;
  if (rng.chance(0.1)) s.version = o.apiVersion.split('/').pop() as string;
  if (o.namespace && rng.chance(0.2)) s.namespace = o.namespace;
  if (rng.chance(0.15)) s.labelSelector = `app=${rng.pick(NAMES)}`;
  if (rng.chance(0.05)) s.annotationSelector = 'note';
  return s;
}

function replacement(rng: Rng, ctx: LayerContext): JsonObject {
  const rep: JsonObject = {};
  let numeric = false;
  {
    const src = rng.pick(ctx.visible);
    const source: JsonObject = { kind: src.kind, name: src.name };
    if (rng.chance(0.2) && src.apiVersion.includes('/'))
      source.group = src.apiVersion.split('/')[0] as string;
    if (rng.chance(0.2)) source.version = src.apiVersion.split('/').pop() as string;
    if (src.namespace && rng.chance(0.3)) source.namespace = src.namespace;
    const readable = dotPaths(src, false).filter((p) => reaches(src.obj, p) || rng.chance(0.03));
    if (readable.length > 0 && rng.chance(0.85)) source.fieldPath = rng.pick(readable);
    numeric = NUMERIC.test(String(source.fieldPath ?? ''));
    if (rng.chance(0.2))
      source.options = {
        delimiter: rng.pick([':', '/', '-', '.']),
        index: rng.chance(0.8) ? 0 : rng.range(1, 2),
      };
    rep.source = source;
  }
  const targets: JsonValue[] = [];
  for (let i = rng.range(1, 2); i > 0; i--) {
    const t = rng.pick(ctx.visible);
    const create = rng.chance(0.15);
    const writable = dotPaths(t, true, numeric).filter(
      (p) => create || reaches(t.obj, p) || rng.chance(0.03),
    );
    if (writable.length === 0) continue;
    const fieldPaths = rng.some(writable, 2, 1);
    // A path most objects have may select widely; another must select its object alone.
    const narrow = !fieldPaths.every(
      (p) => ['metadata.name', 'metadata.annotations.note'].includes(p) || create,
    );
    const tgt: JsonObject = { select: selector(rng, t, narrow && rng.chance(0.95)), fieldPaths };
    if (rng.chance(0.2))
      tgt.reject = [
        rng.chance(0.5) ? { name: rng.pick(NAMES) } : { kind: rng.pick(['Service', 'ConfigMap']) },
      ];
    if (create || rng.chance(0.2)) {
      const opts: JsonObject = {};
      if (create) opts.create = true;
      if (rng.chance(0.5)) {
        opts.delimiter = rng.pick([':', '/', '-', '.']);
        opts.index = rng.chance(0.7) ? 0 : rng.range(-1, 1);
      }
      tgt.options = opts;
    }
    targets.push(tgt);
  }
  // With no target of the right type, a ConfigMap's name (a number there is refused by both).
  rep.targets =
    targets.length > 0 ? targets : [{ select: { kind: 'ConfigMap' }, fieldPaths: ['metadata.name'] }];
  return rep;
}

function vars(rng: Rng, ctx: LayerContext): JsonValue[] {
  const out: JsonValue[] = [];
  for (const name of rng.some(['SVC_HOST', 'POD_NAME', 'CONFIG_NAME'], 2, 1)) {
    const o = rng.pick(ctx.visible);
    const v: JsonObject = { name, objref: { kind: o.kind, name: o.name, apiVersion: o.apiVersion } };
    if (rng.chance(0.8)) {
      const paths = ['metadata.name', 'metadata.namespace', 'metadata.labels.app'];
      if (o.kind === 'Service') paths.push('spec.ports[0].port', 'spec.ports[0].name');
      if (o.kind === 'ConfigMap') paths.push('data.a', 'data.mode');
      if (POD_SPEC_PATH[o.kind] && o.kind !== 'Pod')
        paths.push('spec.replicas', 'spec.template.spec.containers[0].image');
      const reachable = paths.filter(
        (p) => reaches(o.obj, p.replace(/\[(\d+)\]/g, '.$1')) || rng.chance(0.03),
      );
      if (reachable.length > 0) v.fieldref = { fieldpath: rng.pick(reachable) };
    }
    out.push(v);
  }
  return out;
}

function patchEntries(rng: Rng, ctx: LayerContext): JsonValue[] {
  const out: JsonValue[] = [];
  for (let i = rng.range(1, 3); i > 0; i--) {
    const o = rng.pick(ctx.visible);
    const form = rng.int(5);
    if (form === 0) out.push({ patch: inlineYaml(strategicMergePatch(rng, o)) });
    else if (form === 1) {
      const path = addFile(ctx, 'patch.yaml', { yaml: [strategicMergePatch(rng, o)] });
      out.push(rng.chance(0.3) ? { path, target: target(rng, o) } : { path });
    } else if (form === 2)
      out.push({ patch: inlineYaml(strategicMergePatch(rng, o, false)), target: target(rng, o) });
    else if (form === 3)
      out.push({ patch: inlineYaml(jsonPatchOps(rng, o)), target: target(rng, o, false, true) });
    else {
      const path = addFile(ctx, rng.pick(['ops.yaml', 'ops.json']), { yaml: [jsonPatchOps(rng, o)] });
      out.push({ path, target: target(rng, o, false, true) });
    }
    const last = out[out.length - 1] as JsonObject;
    if (rng.chance(0.1)) last.options = { allowNameChange: true };
  }
  return out;
}

function configurationsFile(rng: Rng): JsonObject {
  const cfg: JsonObject = {};
  if (rng.chance(0.7))
    cfg.nameReference = [
      { kind: 'ConfigMap', version: 'v1', fieldSpecs: [{ kind: CR.kind, path: 'spec/configRef/name' }] },
    ];
  if (rng.chance(0.4)) cfg.commonLabels = [{ kind: CR.kind, path: 'spec/selector', create: true }];
  if (rng.chance(0.4)) cfg.images = [{ kind: CR.kind, path: 'spec/image' }];
  if (rng.chance(0.4))
    cfg.varReference = [
      { kind: CR.kind, path: rng.pick(['spec/items/value', 'spec/items[]/value', 'spec/image']) },
    ];
  if (rng.chance(0.3)) cfg.replicas = [{ kind: CR.kind, path: 'spec/size' }];
  if (rng.chance(0.2)) cfg.namespace = [{ kind: CR.kind, path: 'spec/targetNamespace', create: true }];
  if (rng.chance(0.2)) cfg.namePrefix = [{ kind: CR.kind, path: 'metadata/name' }];
  if (rng.chance(0.2)) cfg.commonAnnotations = [{ kind: CR.kind, path: 'spec/annotations', create: true }];
  return cfg;
}

/** kustomize's legacy `crds:` format: OpenAPI definitions by Go type name. */
function crdsFile(rng: Rng): JsonObject {
  const ref: JsonObject = { type: 'object' };
  if (rng.chance(0.8)) ref['x-kubernetes-object-ref-kind'] = 'ConfigMap';
  if (rng.chance(0.8)) ref['x-kubernetes-object-ref-api-version'] = 'v1';
  const spec: JsonObject = { configRef: ref };
  if (rng.chance(0.3)) spec.selector = { type: 'object', 'x-kubernetes-label-selector': '' };
  if (rng.chance(0.3)) spec.annotations = { type: 'object', 'x-kubernetes-annotation': '' };
  if (rng.chance(0.3)) spec.image = { type: 'string', 'x-kubernetes-identity': '' };
  const top: JsonObject = {
    kind: { type: 'string' },
    apiVersion: { type: 'string' },
    spec: { $ref: 'example.com/v1.WidgetSpec' },
  };
  if (rng.chance(0.8)) top.metadata = { $ref: 'k8s.io/apimachinery/pkg/apis/meta/v1.ObjectMeta' };
  return {
    [`example.com/v1.${CR.kind}`]: { Schema: { properties: top } },
    'example.com/v1.WidgetSpec': { Schema: { properties: spec } },
  };
}

/** A Swagger document for `openapi.path`: the custom kind's list `items` merged by `name`. */
function openApiFile(rng: Rng): JsonObject {
  return {
    definitions: {
      'com.example.v1.Widget': {
        type: 'object',
        'x-kubernetes-group-version-kind': [{ group: CR.group, version: CR.version, kind: CR.kind }],
        properties: {
          spec: {
            type: 'object',
            properties: {
              items: {
                type: 'array',
                items: { type: 'object' },
                'x-kubernetes-patch-merge-key': 'name',
                'x-kubernetes-patch-strategy': rng.pick(['merge', 'replace']),
              },
            },
          },
        },
      },
    },
  };
}

/** The kustomization of one layer. */
export function kustomizationFields(rng: Rng, ctx: LayerContext): JsonObject {
  const k: JsonObject = {};
  const has = ctx.visible.length > 0;
  if (rng.chance(0.35))
    k.configMapGenerator = [
      generator(rng, ctx, 'ConfigMap'),
      ...(rng.chance(0.2) ? [generator(rng, ctx, 'ConfigMap')] : []),
    ];
  if (rng.chance(0.25)) k.secretGenerator = [generator(rng, ctx, 'Secret')];
  if ((k.configMapGenerator || k.secretGenerator) && rng.chance(0.3))
    k.generatorOptions = generatorOptions(rng);
  if (rng.chance(0.3)) k.namePrefix = rng.pick(['p-', 'team-', 'x.']);
  if (rng.chance(0.2)) k.nameSuffix = rng.pick(['-s', '-v2']);
  if (rng.chance(0.3)) k.namespace = rng.pick(NAMESPACES);
  if (rng.chance(0.25)) k.commonLabels = stringMap(rng, LABEL_KEYS, LABEL_VALUES);
  if (rng.chance(0.3))
    k.labels = [labelsEntry(rng, ctx), ...(rng.chance(0.2) ? [labelsEntry(rng, ctx)] : [])];
  if (rng.chance(0.25)) k.commonAnnotations = stringMap(rng, ANNOTATION_KEYS, ['common', 'x', 'a: b']);
  if (rng.chance(0.3)) k.images = images(rng);
  if (rng.chance(0.2)) {
    // kustomize refuses a name that no object with a replicas field has.
    const scalable = ['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController'];
    const names = [...new Set(ctx.visible.filter((o) => scalable.includes(o.kind)).flatMap((o) => o.names))];
    if (names.length > 0 || rng.chance(0.05))
      k.replicas = [{ name: names.length > 0 ? rng.pick(names) : rng.pick(NAMES), count: rng.range(0, 5) }];
  }
  if (has && rng.chance(0.5)) k.patches = patchEntries(rng, ctx);
  if (has && rng.chance(0.15)) {
    const o = rng.pick(ctx.visible);
    k.patchesStrategicMerge = [
      rng.chance(0.5)
        ? addFile(ctx, 'smp.yaml', { yaml: [strategicMergePatch(rng, o)] })
        : inlineYaml(strategicMergePatch(rng, o)),
    ];
  }
  if (has && rng.chance(0.15)) {
    const o = rng.pick(ctx.visible);
    const entry: JsonObject = { target: target(rng, o, true) };
    if (rng.chance(0.5)) entry.path = addFile(ctx, 'json6902.yaml', { yaml: [jsonPatchOps(rng, o)] });
    else entry.patch = inlineYaml(jsonPatchOps(rng, o));
    k.patchesJson6902 = [entry];
  }
  if (has && rng.chance(0.3)) {
    const reps = [replacement(rng, ctx), ...(rng.chance(0.3) ? [replacement(rng, ctx)] : [])];
    if (rng.chance(0.2)) k.replacements = [{ path: addFile(ctx, 'replacements.yaml', { yaml: [reps] }) }];
    else k.replacements = reps;
  }
  if (has && rng.chance(0.15)) k.vars = vars(rng, ctx);
  if (ctx.top && rng.chance(0.15)) {
    const s: JsonObject = { order: rng.pick(['legacy', 'fifo']) };
    if (s.order === 'legacy' && rng.chance(0.5))
      s.legacySortOptions = {
        orderFirst: rng.some(['Service', 'Deployment', 'ConfigMap', CR.kind], 3),
        orderLast: rng.some(['Secret', 'Role'], 1),
      };
    k.sortOptions = s;
  }
  if (ctx.hasCustomKind) {
    if (rng.chance(0.2))
      k.configurations = [addFile(ctx, 'kustomizeconfig.yaml', { yaml: [configurationsFile(rng)] })];
    if (rng.chance(0.1)) k.crds = [addFile(ctx, 'crd-defs.yaml', { yaml: [crdsFile(rng)] })];
    if (rng.chance(0.1)) k.openapi = { path: addFile(ctx, 'schema.yaml', { yaml: [openApiFile(rng)] }) };
  }
  return k;
}

/** The objects a layer's parent sees: names and namespaces as this layer's fields change them. */
export function afterLayer(visible: readonly Known[], k: JsonObject): Known[] {
  const prefix = typeof k.namePrefix === 'string' ? k.namePrefix : '';
  const suffix = typeof k.nameSuffix === 'string' ? k.nameSuffix : '';
  const ns = typeof k.namespace === 'string' ? k.namespace : undefined;
  const out: Known[] = visible.map((o) => {
    const renamed = o.kind !== 'Namespace' && o.kind !== 'CustomResourceDefinition';
    const clusterScoped =
      ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition'].includes(o.kind) ||
      o.kind.endsWith('WebhookConfiguration');
    const name = renamed ? `${prefix}${o.name}${suffix}` : o.name;
    return {
      ...o,
      name,
      names: o.names.includes(name) ? o.names : [...o.names, name],
      namespace: ns && !clusterScoped ? ns : o.namespace,
    };
  });
  for (const kind of ['ConfigMap', 'Secret'] as const) {
    const gens = k[kind === 'ConfigMap' ? 'configMapGenerator' : 'secretGenerator'];
    if (!Array.isArray(gens)) continue;
    for (const g of gens) {
      if (
        typeof g !== 'object' ||
        g === null ||
        Array.isArray(g) ||
        g.behavior === 'merge' ||
        g.behavior === 'replace'
      )
        continue;
      out.push({
        apiVersion: apiVersionOf(kind),
        kind,
        name: `${prefix}${String(g.name)}${suffix}`,
        names: [String(g.name), `${prefix}${String(g.name)}${suffix}`],
        namespace: ns ?? (typeof g.namespace === 'string' ? g.namespace : undefined),
        obj: { apiVersion: 'v1', kind, metadata: { name: String(g.name) }, data: { a: '1' } },
      });
    }
  }
  return out;
}
