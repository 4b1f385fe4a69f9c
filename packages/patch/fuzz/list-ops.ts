/**
 * Patch building blocks for the strategic-merge-patch cases: paths into objects, the list targets
 * of a pod spec (merge-keyed lists, nested under containers too) and the operations on them (add,
 * modify, delete, `$patch`, `$setElementOrder`, nulls, and the malformed ones kubectl refuses).
 * Shared by test/fixtures/generate-goldens.ts and the differential fuzzer.
 */
import type { SeededRandom } from '../test/random.js';
import type { Json, Obj, PodKind } from './objects.js';

/** A step of a path: a field, or the item of a list whose `key` is `value`. */
export type Seg = string | { list: string; key: string; value: Json };

/** The value at `path` in `o`, if there is one. */
export function getIn(o: Json, path: Seg[]): Json | undefined {
  let cur: Json | undefined = o;
  for (const s of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    if (typeof s === 'string') cur = cur[s];
    else {
      const list = cur[s.list];
      if (!Array.isArray(list)) return undefined;
      cur = list.find(
        (x) => x !== null && typeof x === 'object' && !Array.isArray(x) && x[s.key] === s.value,
      );
    }
  }
  return cur;
}

/** The patch skeleton down to `path`, with `leaf` merged in at the end. */
export function patchAt(path: Seg[], leaf: Obj): Obj {
  let node: Obj = leaf;
  for (let i = path.length - 1; i >= 0; i--) {
    const s = path[i] as Seg;
    node = typeof s === 'string' ? { [s]: node } : { [s.list]: [{ [s.key]: s.value, ...node }] };
  }
  return node;
}

/** `b` merged into a copy of `a`: maps recursively, lists concatenated. */
export function deepMerge(a: Obj, b: Obj): Obj {
  const out: Obj = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    if (
      cur &&
      v &&
      typeof cur === 'object' &&
      typeof v === 'object' &&
      !Array.isArray(cur) &&
      !Array.isArray(v)
    ) {
      out[k] = deepMerge(cur, v);
    } else if (Array.isArray(cur) && Array.isArray(v)) {
      out[k] = [...cur, ...v];
    } else {
      out[k] = v;
    }
  }
  return out;
}

/** A merge-keyed list of an object: where it is, its key, and how to make and change items. */
export interface ListTarget {
  parent: Seg[];
  field: string;
  key: string;
  fresh(n: number): Obj;
  mutate(item: Obj): Obj;
}

/** The list operations kubectl applies. */
export const LIST_OPS = [
  'add',
  'modify',
  'delete',
  'replaceList',
  'order',
  'orderAdd',
  'nullField',
  'nullList',
  'addMany',
  'modifyDelete',
  'emptyList',
  'dupDelete',
];
/** The list operations kubectl refuses. */
export const LIST_ERRORS = ['missingKey', 'badItemDirective', 'mergeItemDirective', 'orderMismatch'];
/** Every list operation. */
export const ALL_LIST_OPS = [...LIST_OPS, ...LIST_ERRORS];

/** One operation (`forced`, or a random one) on the list `t` of `obj`, as a named patch. */
export function mapListOps(
  r: SeededRandom,
  obj: Obj,
  t: ListTarget,
  forced?: string,
): { name: string; patch: Obj } {
  const list = getIn(obj, [...t.parent, t.field]);
  const items = Array.isArray(list) ? (list as Obj[]) : [];
  const keys = items.map((i) => i[t.key] as Json);
  const existing = keys.length > 0 ? r.pick(keys) : undefined;
  const item = items.find((i) => i[t.key] === existing);
  const op = forced ?? (r.chance(0.1) ? r.pick(LIST_ERRORS) : r.pick(LIST_OPS));
  const f = t.field;
  const mk = (extra: Obj) => patchAt(t.parent, extra);
  switch (op) {
    case 'add':
      return { name: `add item to ${f}`, patch: mk({ [f]: [t.fresh(1)] }) };
    case 'addMany':
      return { name: `add items to ${f}`, patch: mk({ [f]: [t.fresh(2), t.fresh(3)] }) };
    case 'modify':
      if (item === undefined) return { name: `create ${f}`, patch: mk({ [f]: [t.fresh(1)] }) };
      return {
        name: `modify item of ${f}`,
        patch: mk({ [f]: [{ [t.key]: existing as Json, ...t.mutate(item) }] }),
      };
    case 'delete':
      if (existing === undefined)
        return {
          name: `delete absent item of ${f}`,
          patch: mk({ [f]: [{ [t.key]: t.fresh(9)[t.key] as Json, $patch: 'delete' }] }),
        };
      return { name: `delete item of ${f}`, patch: mk({ [f]: [{ [t.key]: existing, $patch: 'delete' }] }) };
    case 'dupDelete':
      return {
        name: `delete and add in ${f}`,
        patch: mk({
          [f]: [t.fresh(4), ...(existing !== undefined ? [{ [t.key]: existing, $patch: 'delete' }] : [])],
        }),
      };
    case 'modifyDelete': {
      if (items.length < 2) return { name: `add item to ${f}`, patch: mk({ [f]: [t.fresh(1)] }) };
      const [a, b] = r.shuffle(items);
      return {
        name: `modify and delete items of ${f}`,
        patch: mk({
          [f]: [
            { [t.key]: (a as Obj)[t.key] as Json, ...t.mutate(a as Obj) },
            { [t.key]: (b as Obj)[t.key] as Json, $patch: 'delete' },
          ],
        }),
      };
    }
    case 'replaceList':
      return { name: `$patch: replace on ${f}`, patch: mk({ [f]: [{ $patch: 'replace' }, t.fresh(5)] }) };
    case 'emptyList':
      return { name: `empty list ${f}`, patch: mk({ [f]: [] }) };
    case 'order': {
      if (keys.length === 0) return { name: `add item to ${f}`, patch: mk({ [f]: [t.fresh(1)] }) };
      const order = [...keys].reverse().map((k) => ({ [t.key]: k }));
      return { name: `$setElementOrder on ${f}`, patch: mk({ [`$setElementOrder/${f}`]: order }) };
    }
    case 'orderAdd': {
      const fresh = t.fresh(6);
      const order = r.shuffle([...keys, fresh[t.key] as Json]).map((k) => ({ [t.key]: k }));
      return {
        name: `$setElementOrder with a new item on ${f}`,
        patch: mk({ [`$setElementOrder/${f}`]: order, [f]: [fresh] }),
      };
    }
    case 'nullField': {
      if (item === undefined) return { name: `create ${f}`, patch: mk({ [f]: [t.fresh(1)] }) };
      const fields = Object.keys(item).filter((k) => k !== t.key);
      const field = fields.length > 0 ? r.pick(fields) : 'absent';
      return {
        name: `null a field of an item of ${f}`,
        patch: mk({ [f]: [{ [t.key]: existing as Json, [field]: null }] }),
      };
    }
    case 'nullList':
      return { name: `null ${f}`, patch: mk({ [f]: null }) };
    case 'missingKey': {
      const fresh = t.fresh(7);
      delete fresh[t.key];
      if (Object.keys(fresh).length === 0) fresh.extra = 'x';
      return { name: `item of ${f} without merge key`, patch: mk({ [f]: [fresh] }) };
    }
    case 'badItemDirective':
      return {
        name: `unknown $patch in ${f}`,
        patch: mk({ [f]: [{ [t.key]: existing ?? 'x', $patch: 'bogus' }] }),
      };
    case 'mergeItemDirective':
      return {
        name: `$patch: merge in ${f}`,
        patch: mk({ [f]: [{ [t.key]: existing ?? 'x', $patch: 'merge' }] }),
      };
    default: {
      const fresh = t.fresh(8);
      return {
        name: `$setElementOrder missing a patched item of ${f}`,
        patch: mk({ [`$setElementOrder/${f}`]: keys.map((k) => ({ [t.key]: k })), [f]: [fresh] }),
      };
    }
  }
}

/** The merge-keyed lists of a pod spec at `p`, and of each of its containers. */
export function podTargets(r: SeededRandom, p: string[], spec: Obj): ListTarget[] {
  const base = p as Seg[];
  const targets: ListTarget[] = [
    {
      parent: base,
      field: 'containers',
      key: 'name',
      fresh: (n) => ({
        name: `extra-${n}`,
        image: `extra:${n}`,
        ...(r.chance(0.5) ? { ports: [{ containerPort: 7000 + n }] } : {}),
      }),
      mutate: () =>
        r.chance(0.5)
          ? { image: `app:${Math.floor(r.next() * 9) + 2}.0` }
          : { imagePullPolicy: 'Always', resources: { limits: { cpu: '2' } } },
    },
    {
      parent: base,
      field: 'initContainers',
      key: 'name',
      fresh: (n) => ({ name: `init-${n}`, image: 'busybox:2' }),
      mutate: () => ({ command: ['sh', '-c', 'echo hi'] }),
    },
    {
      parent: base,
      field: 'volumes',
      key: 'name',
      fresh: (n) => ({ name: `vol-${n}`, secret: { secretName: `s${n}` } }),
      mutate: (item) =>
        item.emptyDir !== undefined
          ? { emptyDir: { medium: 'Memory' } }
          : { configMap: { name: 'other', optional: true } },
    },
    {
      parent: base,
      field: 'imagePullSecrets',
      key: 'name',
      fresh: (n) => ({ name: `pull-${n}` }),
      mutate: () => ({}),
    },
    {
      parent: base,
      field: 'hostAliases',
      key: 'ip',
      fresh: (n) => ({ ip: `10.9.0.${n}`, hostnames: [`h${n}.local`] }),
      mutate: () => ({ hostnames: ['z.local'] }),
    },
    {
      parent: base,
      field: 'topologySpreadConstraints',
      key: 'topologyKey',
      fresh: (n) => ({ topologyKey: `example.com/k${n}`, whenUnsatisfiable: 'DoNotSchedule', maxSkew: n }),
      mutate: () => ({ maxSkew: 5 }),
    },
    {
      parent: base,
      field: 'schedulingGates',
      key: 'name',
      fresh: (n) => ({ name: `gate-${n}` }),
      mutate: () => ({}),
    },
  ];
  const containers = (spec.containers as Obj[]).map((c) => c.name as string);
  for (const name of containers) {
    const cpath: Seg[] = [...base, { list: 'containers', key: 'name', value: name }];
    targets.push(
      {
        parent: cpath,
        field: 'ports',
        key: 'containerPort',
        fresh: (n) => ({ containerPort: 6000 + n, name: `p${n}` }),
        mutate: () => ({ name: 'renamed', protocol: 'UDP' }),
      },
      {
        parent: cpath,
        field: 'env',
        key: 'name',
        fresh: (n) => ({ name: `VAR_${n}`, value: String(n) }),
        mutate: () => ({ value: 'changed' }),
      },
      {
        parent: cpath,
        field: 'volumeMounts',
        key: 'mountPath',
        fresh: (n) => ({ name: 'data', mountPath: `/mnt/${n}` }),
        mutate: () => ({ readOnly: false, subPath: 'sub' }),
      },
      {
        parent: cpath,
        field: 'volumeDevices',
        key: 'devicePath',
        fresh: (n) => ({ name: 'blk', devicePath: `/dev/xvd${'bcdefghij'[n] ?? 'z'}` }),
        mutate: () => ({ name: 'blk2' }),
      },
    );
  }
  return targets;
}

/** Operations that are not about one merge list (labels, finalizers, directives, replace-strategy lists…). */
export function otherOps(obj: Obj, pk: PodKind | undefined): Array<() => { name: string; patch: Obj }> {
  const ops: Array<() => { name: string; patch: Obj }> = [
    () => ({
      name: 'add and null labels',
      patch: { metadata: { labels: { release: 'canary', tier: null } } },
    }),
    () => ({ name: 'null annotations map', patch: { metadata: { annotations: null } } }),
    () => ({ name: 'add finalizer', patch: { metadata: { finalizers: ['example.com/new'] } } }),
    () => ({
      name: 'add existing finalizer',
      patch: { metadata: { finalizers: ['example.com/audit', 'example.com/z'] } },
    }),
    () => ({
      name: 'delete finalizer',
      patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['example.com/cleanup'] } },
    }),
    () => ({
      name: 'order finalizers',
      patch: {
        metadata: {
          '$setElementOrder/finalizers': ['example.com/audit', 'example.com/cleanup'],
          finalizers: ['example.com/audit'],
        },
      },
    }),
    () => ({ name: 'null finalizers', patch: { metadata: { finalizers: null } } }),
    () => ({
      name: 'add owner reference',
      patch: {
        metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: 'u-1' }] },
      },
    }),
    () => ({
      name: '$patch: replace on labels',
      patch: { metadata: { labels: { $patch: 'replace', only: 'this' } } },
    }),
    () => ({ name: 'unknown $patch on a map', patch: { metadata: { labels: { $patch: 'bogus', a: 'b' } } } }),
    () => ({ name: '$patch: delete on labels', patch: { metadata: { labels: { $patch: 'delete' } } } }),
  ];
  if (pk !== undefined) {
    const p = pk.podPath as Seg[];
    const app: Seg[] = [...p, { list: 'containers', key: 'name', value: 'app' }];
    ops.push(
      () => ({
        name: 'replace tolerations (replace strategy)',
        patch: patchAt(p, { tolerations: [{ key: 'gpu', operator: 'Exists' }] }),
      }),
      () => ({ name: 'replace args (replace strategy)', patch: patchAt(app, { args: ['--only'] }) }),
      () => ({
        name: '$patch: replace on resources',
        patch: patchAt(app, { resources: { $patch: 'replace', limits: { cpu: '3' } } }),
      }),
      () => ({
        name: '$patch: delete on securityContext',
        patch: patchAt(app, { securityContext: { $patch: 'delete' } }),
      }),
      () => ({ name: 'null nested field', patch: patchAt(app, { resources: { requests: null } }) }),
      () => ({
        name: 'null nodeSelector key',
        patch: patchAt(p, { nodeSelector: { zone: null, rack: 'r1' } }),
      }),
      () => ({
        name: '$retainKeys switches a volume source',
        patch: patchAt(p, {
          volumes: [{ name: 'cfg', $retainKeys: ['name', 'secret'], secret: { secretName: 'cfg' } }],
        }),
      }),
      () => ({
        name: '$retainKeys missing a patched field',
        patch: patchAt(p, {
          volumes: [{ name: 'cfg', $retainKeys: ['name'], secret: { secretName: 'cfg' } }],
        }),
      }),
      () => ({
        name: 'new container with directives inside',
        patch: patchAt(p, {
          containers: [
            {
              name: 'fresh',
              image: 'f:1',
              env: [
                { name: 'X', $patch: 'delete' },
                { name: 'Y', value: 'y' },
              ],
              ports: null,
            },
          ],
        }),
      }),
      () => ({ name: 'type change map to string', patch: patchAt(p, { nodeSelector: 'oops' }) }),
      () => ({ name: 'list of mixed types', patch: { metadata: { finalizers: ['a', 1] } } }),
    );
    if (pk.kind === 'Deployment') {
      ops.push(
        () => ({
          name: 'deployment strategy $retainKeys',
          patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
        }),
        () => ({
          name: 'deployment strategy type only',
          patch: { spec: { strategy: { type: 'Recreate', rollingUpdate: null } } },
        }),
        () => ({
          name: 'status condition update',
          patch: {
            status: {
              conditions: [
                { type: 'Ready', status: 'False' },
                { type: 'Available', status: 'True' },
              ],
            },
          },
        }),
      );
    }
  }
  void obj;
  return ops;
}

/** Name prefixes of the operations kubectl refuses. */
export const BAD_OPS = [
  'item of ',
  'unknown $patch',
  '$patch: merge in',
  '$setElementOrder missing',
  '$retainKeys missing',
  'list of mixed types',
];
