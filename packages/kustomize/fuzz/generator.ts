/**
 * Random kustomization trees: a base (sometimes two), components, one or two overlays on top, each
 * with random fields (gen-kustomization.ts) over random objects (gen-resources.ts). Most trees are
 * well formed; about one in ten carries one deliberate mistake, which both renderers must refuse.
 */
import type { JsonObject, JsonValue } from '@gitops-kit/core';
import { afterLayer, kustomizationFields, type LayerContext } from './gen-kustomization.js';
import type { Known } from './gen-patches.js';
import { CR, object, pickKind } from './gen-resources.js';
import { Rng } from './prng.js';
import type { FileBody, FuzzTree } from './tree.js';

const KUSTOMIZATION = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' };
const COMPONENT = { apiVersion: 'kustomize.config.k8s.io/v1alpha1', kind: 'Component' };

function known(obj: JsonObject): Known {
  const meta = (obj.metadata ?? {}) as JsonObject;
  return {
    apiVersion: String(obj.apiVersion),
    kind: String(obj.kind),
    name: String(meta.name),
    names: [String(meta.name)],
    namespace: typeof meta.namespace === 'string' ? meta.namespace : undefined,
    obj,
  };
}

/** Random objects written as one to three resource files of `dir`; returns the entries and objects. */
function resourceFiles(
  rng: Rng,
  files: Record<string, FileBody>,
  dir: string,
  count: number,
  withCr: boolean,
  ids: Set<string>,
) {
  const objects: JsonObject[] = [];
  for (let i = 0; i < count * 3 && objects.length < count; i++) {
    const o = object(rng, pickKind(rng));
    if (!withCr && (o.kind === CR.kind || o.kind === 'CustomResourceDefinition')) continue;
    const m = o.metadata as JsonObject;
    const id = `${String(o.kind)}/${String(m.namespace ?? '')}/${String(m.name)}`;
    if (ids.has(id) && !rng.chance(0.03)) continue;
    ids.add(id);
    objects.push(o);
  }
  const entries: string[] = [];
  const nFiles = Math.min(objects.length, rng.range(1, 3));
  const groups: JsonObject[][] = Array.from({ length: nFiles }, () => []);
  objects.forEach((o, i) => {
    groups[i % nFiles]?.push(o);
  });
  groups.forEach((g, i) => {
    const name = `${rng.pick(['resources', 'app', 'objects'])}-${i}.yaml`;
    if (rng.chance(0.05) && g.length > 1)
      files[`${dir}/${name}`] = { yaml: [{ apiVersion: 'v1', kind: 'List', items: g }] };
    else files[`${dir}/${name}`] = { yaml: g };
    entries.push(name);
  });
  return { entries, objects: objects.map(known) };
}

interface Layer {
  dir: string;
  visible: Known[];
}

function layer(
  rng: Rng,
  tree: FuzzTree,
  dir: string,
  opts: {
    ids: Set<string>;
    bases: Layer[];
    /** The objects the layer's fields see, when not its bases' (components in between). */
    sees?: Known[];
    components: string[];
    ownObjects: number;
    component: boolean;
    top: boolean;
    withCr: boolean;
  },
): Layer {
  const k: JsonObject = { ...(opts.component ? COMPONENT : KUSTOMIZATION) };
  if (!opts.component && rng.chance(0.15)) delete k.apiVersion;
  const resources: string[] = opts.bases.map((b) => relative(dir, b.dir));
  let visible = opts.sees ?? opts.bases.flatMap((b) => b.visible);
  // Generators run before components: they see the bases' objects and the layer's own.
  let generatorsSee = opts.bases.flatMap((b) => b.visible);
  if (opts.ownObjects > 0) {
    const own = resourceFiles(rng, tree.files, dir, opts.ownObjects, opts.withCr, opts.ids);
    resources.push(...own.entries);
    visible = [...visible, ...own.objects];
    generatorsSee = [...generatorsSee, ...own.objects];
  }
  if (resources.length > 0) k.resources = rng.chance(0.9) ? resources : resources.reverse();
  if (opts.components.length > 0) k.components = opts.components.map((c) => relative(dir, c));
  const tag =
    dir === 'base' ? '' : `${dir.replace(/^.*\//, '').replace('overlay', 'o').replace('base', 'b')}-`;
  const ctx: LayerContext = {
    dir,
    tag,
    visible,
    ...(opts.sees !== undefined && opts.components.length > 0 ? { generatorsSee } : {}),
    files: tree.files,
    top: opts.top,
    hasCustomKind: opts.withCr,
  };
  Object.assign(k, kustomizationFields(rng, ctx));
  tree.files[`${dir}/kustomization.yaml`] = { yaml: [k] };
  return { dir, visible: afterLayer(visible, k) };
}

function relative(from: string, to: string): string {
  const depth = from.split('/').length;
  return `${'../'.repeat(depth)}${to}`;
}

/** One deliberate mistake in an otherwise random tree. */
function breakTree(rng: Rng, tree: FuzzTree): void {
  const kfiles = Object.keys(tree.files).filter((p) => p.endsWith('kustomization.yaml'));
  const kfile = rng.pick(kfiles);
  const body = tree.files[kfile] as { yaml: JsonValue[] };
  const k = body.yaml[0] as JsonObject;
  const dir = kfile.slice(0, kfile.lastIndexOf('/'));
  switch (rng.int(10)) {
    case 0:
      k[rng.pick(['namePrefx', 'patchesStrategicMerges', 'label'])] = 'x';
      break;
    case 1:
      k.resources = [...((k.resources as JsonValue[]) ?? []), 'missing.yaml'];
      break;
    case 2:
      tree.files[`${dir}/broken.yaml`] = { text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: [name: x\n' };
      k.resources = [...((k.resources as JsonValue[]) ?? []), 'broken.yaml'];
      break;
    case 3: {
      const res = (k.resources as JsonValue[] | undefined)?.filter(
        (r) => typeof r === 'string' && r.endsWith('.yaml'),
      );
      if (res && res.length > 0) k.resources = [...(k.resources as JsonValue[]), rng.pick(res)];
      else k.labels = { app: 'x' };
      break;
    }
    case 4:
      k.patches = [
        { patch: '- op: replace\n  path: /spec/nothing/here\n  value: 1\n', target: { kind: 'Deployment' } },
      ];
      break;
    case 5:
      k.patches = [{ patch: 'metadata:\n  name: x\n', target: { name: '(unclosed' } }];
      break;
    case 6:
      k.configMapGenerator = [{ name: 'nothing-here', behavior: 'merge', literals: ['a=1'] }];
      break;
    case 7:
      k.replicas = [{ name: 'web', count: rng.pick<JsonValue>(['two', 1.5]) }];
      break;
    case 8:
      k.configMapGenerator = [{ name: 'bad', literals: [rng.pick(['no-equals', '=value'])] }];
      break;
    default:
      k.sortOptions = { order: 'random' };
  }
}

/** The tree of `seed`: deterministic for a given seed. */
export function generateTree(seed: number): FuzzTree {
  const rng = new Rng(seed);
  const tree: FuzzTree = { root: '', files: {} };
  const withCr = rng.chance(0.3);
  // Ids across the whole tree: the same object in two bases is a (deliberate, rare) error.
  const ids = new Set<string>();
  const baseOnly = rng.chance(0.12);
  const base = layer(rng, tree, 'base', {
    ids,
    bases: [],
    components: [],
    ownObjects: rng.range(2, 6),
    component: false,
    top: baseOnly,
    withCr,
  });
  tree.root = 'base';
  if (!baseOnly) {
    const bases = [base];
    if (rng.chance(0.2))
      bases.push(
        layer(rng, tree, 'base2', {
          ids,
          bases: [],
          components: [],
          ownObjects: rng.range(1, 3),
          component: false,
          top: false,
          withCr,
        }),
      );
    const components: string[] = [];
    // A component's generators and transformers see what the kustomization including it
    // accumulated (and the components before it did); the kustomization's transformers see what
    // the components made of it.
    let seen = bases.flatMap((b) => b.visible);
    for (const name of ['c1', 'c2']) {
      if (!rng.chance(0.35)) continue;
      const dir = `components/${name}`;
      seen = layer(rng, tree, dir, {
        ids,
        bases: [],
        sees: seen,
        components: [],
        ownObjects: rng.chance(0.3) ? rng.range(1, 2) : 0,
        component: true,
        top: false,
        withCr,
      }).visible;
      components.push(dir);
    }
    const two = rng.chance(0.4);
    const overlay = layer(rng, tree, 'overlay', {
      ids,
      bases,
      sees: seen,
      components,
      ownObjects: rng.chance(0.25) ? rng.range(1, 2) : 0,
      component: false,
      top: !two,
      withCr,
    });
    tree.root = 'overlay';
    if (two) {
      layer(rng, tree, 'overlay2', {
        ids,
        bases: [overlay],
        components: [],
        ownObjects: rng.chance(0.2) ? 1 : 0,
        component: false,
        top: true,
        withCr,
      });
      tree.root = 'overlay2';
    }
  }
  if (rng.chance(0.1)) breakTree(rng, tree);
  return tree;
}
