import { type JsonObject, type JsonValue, resolvePlainScalar, ValidationError } from '@gitops-kit/core';
import type { NameBackReference } from './builtin-field-specs.js';
import { type FieldSpec, fieldSpecApplies, splitFieldPath, visitFieldPath } from './field-spec.js';
import { effectiveNamespace, isClusterScoped, type ResId, type Resource } from './resource.js';

function isObj(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The namespaces a RoleBinding's subjects of kind ServiceAccount name (none for other kinds). */
function roleBindingNamespaces(r: Resource): Set<string> {
  const out = new Set<string>();
  if (r.kind !== 'RoleBinding' || !Array.isArray(r.obj.subjects)) return out;
  for (const s of r.obj.subjects) {
    if (isObj(s) && s.kind === 'ServiceAccount' && typeof s.namespace === 'string') out.add(s.namespace);
  }
  return out;
}

function sameEndingSubarray(a: readonly string[], b: readonly string[]): boolean {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (short.length === 0) return long.length === 0;
  for (let i = 1; i <= short.length; i++) if (short[short.length - i] !== long[long.length - i]) return false;
  return true;
}

/** What every lookup of one run shares: the objects, the cluster-scoped kinds, the renamed ones by old name. */
interface Lookup {
  resources: readonly Resource[];
  clusterScoped: ReadonlySet<string>;
  /** Renamed (or moved) objects by kind and every name they ever had. */
  byKindName: Map<string, Resource[]>;
}

/**
 * kustomize's name-reference transformer: after renames (prefixes, suffixes, hashes), every field
 * that names another object (a ConfigMap volume, a roleRef, a ServiceAccount subject…) follows
 * the object to its new name, preferring candidates in the referrer's namespace and with the same
 * prefixes and suffixes.
 */
export function fixNameReferences(
  resources: readonly Resource[],
  rules: readonly NameBackReference[],
  clusterScoped: ReadonlySet<string>,
): void {
  const lookup: Lookup = { resources, clusterScoped, byKindName: indexRenamed(resources) };
  for (const rule of rules) fixRule(lookup, rule);
}

// Index candidates by kind and every name they ever had.
function indexRenamed(resources: readonly Resource[]): Map<string, Resource[]> {
  const byKindName = new Map<string, Resource[]>();
  for (const r of resources) {
    const seen = new Set<string>();
    // Only renamed (or moved) objects are candidates: kustomize matches references against
    // previous ids, and an object that never changed needs no reference updated.
    for (const id of r.prevIds) {
      const key = `${id.kind}\u0000${id.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const list = byKindName.get(key);
      if (list) list.push(r);
      else byKindName.set(key, [r]);
    }
  }
  return byKindName;
}

/** One rule (a kind that can be referred to) over every referrer its field specs reach. */
function fixRule(lookup: Lookup, rule: NameBackReference): void {
  // Field specs by kind, so each referrer only looks at the specs that can apply to it.
  const byKind = new Map<string, FieldSpec[]>();
  const anyKind: FieldSpec[] = [];
  for (const fs of rule.fieldSpecs) {
    if (!fs.kind) anyKind.push(fs);
    else {
      const list = byKind.get(fs.kind);
      if (list) list.push(fs);
      else byKind.set(fs.kind, [fs]);
    }
  }
  for (const referrer of lookup.resources) {
    const specs = byKind.get(referrer.kind);
    if (!specs && anyKind.length === 0) continue;
    const rid = referrer.curId();
    for (const fs of specs ? [...specs, ...anyKind] : anyKind) {
      if (!fieldSpecApplies(fs, rid)) continue;
      visitFieldPath(referrer.obj, splitFieldPath(fs.path), (container, key) => {
        fixField(lookup, rule, referrer, fs.path, container, key);
      });
    }
  }
}

/**
 * The name as kustomize writes it into a reference: a new untagged scalar node (kyaml's
 * FieldSetter with a StringValue), which prints as what its text reads as (`80`, not `"80"`).
 */
function plainName(name: string): JsonValue {
  const v = resolvePlainScalar(name);
  return (typeof v === 'number' || typeof v === 'boolean') && String(v) === name ? v : name;
}

/** One field a spec reaches: a name, a list of names, or a map (or list of maps) with a `name`. */
function fixField(
  lookup: Lookup,
  rule: NameBackReference,
  referrer: Resource,
  fieldPath: string,
  container: JsonObject,
  key: string,
): void {
  const value = container[key];
  if (typeof value === 'string') {
    // A roleRef names the kind and group of what it refers to beside the name.
    const roleRef =
      fieldPath.endsWith('roleRef/name') && typeof container.kind === 'string'
        ? {
            kind: container.kind,
            group: typeof container.apiGroup === 'string' ? container.apiGroup : '',
          }
        : undefined;
    const found = select(lookup, rule, referrer, value, undefined, false, roleRef);
    if (found) container[key] = plainName(found.name);
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const el = value[i];
      if (typeof el === 'string') {
        const found = select(lookup, rule, referrer, el, undefined, false);
        if (found) value[i] = plainName(found.name);
      } else if (isObj(el)) {
        updateNameNamespace(lookup, rule, referrer, el, fieldPath);
      }
    }
  } else if (isObj(value)) {
    updateNameNamespace(lookup, rule, referrer, value, fieldPath);
  }
}

// kustomize's setMapping: the item's kind is not looked at, so a RoleBinding's User or Group
// subject named like a renamed ServiceAccount follows it too.
function updateNameNamespace(
  lookup: Lookup,
  rule: NameBackReference,
  referrer: Resource,
  el: JsonObject,
  fieldPath: string,
): void {
  const { resources, clusterScoped } = lookup;
  if (!('name' in el)) {
    // kustomize's setMapping: a field spec that reaches a map must find its `name` in it, whether
    // or not anything could be referred to.
    const rid = referrer.curId();
    throw new ValidationError(
      `updating name reference in '${fieldPath}' field of '${rid.kind}/${rid.name}': path config error; no 'name' field in node`,
      { file: referrer.source.file, line: referrer.source.line, path: fieldPath },
    );
  }
  if (typeof el.name !== 'string') return;
  if ('namespace' in el && (el.namespace === null || el.namespace === '')) {
    const rid = referrer.curId();
    throw new ValidationError(
      `Invalid Input: namespace is blank for resource "${rid.kind}.${rid.version}.${rid.group}/${rid.name}.[${rid.namespace || 'noNs'}]"`,
      { file: referrer.source.file, line: referrer.source.line, path: 'subjects' },
    );
  }
  let pool: Resource[] | undefined;
  if (typeof el.namespace === 'string') {
    // Candidates in the named namespace: by original namespace first, else by current one.
    const ns = el.namespace;
    const effective = (id: ResId) =>
      isClusterScoped(id.group, id.kind, clusterScoped) ? undefined : effectiveNamespace(id, clusterScoped);
    pool = resources.filter((r) => effective(r.orgId()) === ns);
    if (pool.length === 0) pool = resources.filter((r) => effective(r.curId()) === ns);
  }
  const found = select(lookup, rule, referrer, el.name, pool, true);
  if (!found) return;
  el.name = plainName(found.name);
  // An empty namespace is a wildcard here, never written over "default".
  if (found.namespace) el.namespace = found.namespace;
}

function select(
  lookup: Lookup,
  rule: NameBackReference,
  referrer: Resource,
  name: string,
  pool: readonly Resource[] | undefined,
  sameNamespaceToo: boolean,
  roleRef?: { group: string; kind: string },
): Resource | undefined {
  const { clusterScoped } = lookup;
  // Candidates had `name` as a previous name, and a previous id of the target's kind.
  let candidates = (lookup.byKindName.get(`${rule.kind}\u0000${name}`) ?? []).filter(
    (c) =>
      (pool === undefined || pool.includes(c)) &&
      c.prevIds.some(
        (id) =>
          id.kind === rule.kind &&
          (!rule.group || rule.group.split('/')[0] === id.group) &&
          (!rule.version || rule.version === id.version),
      ) &&
      (!roleRef ||
        c.prevIds.some((id) => id.kind === roleRef.kind && (!roleRef.group || roleRef.group === id.group))),
  );
  const rid = referrer.curId();
  if (!isClusterScoped(rid.group, rid.kind, clusterScoped)) {
    candidates = candidates.filter((c) => {
      const cid = c.curId();
      if (isClusterScoped(cid.group, cid.kind, clusterScoped)) return true;
      if (effectiveNamespace(cid, clusterScoped) === effectiveNamespace(rid, clusterScoped)) return true;
      // kustomize's SubsetThatCouldBeReferencedByResource: a RoleBinding also reaches the
      // namespaces its ServiceAccount subjects name, and its sieve lets ServiceAccounts through.
      return cid.kind === 'ServiceAccount' && roleBindingNamespaces(referrer).has(cid.namespace);
    });
  }
  if (candidates.length === 1) return candidates[0];
  candidates = candidates.filter(
    (c) =>
      sameEndingSubarray(c.prefixes, referrer.prefixes) && sameEndingSubarray(c.suffixes, referrer.suffixes),
  );
  if (candidates.length === 0) return undefined;
  const first = candidates[0] as Resource;
  const identical = candidates.every(
    (c) => c.name === first.name && (!sameNamespaceToo || c.namespace === first.namespace),
  );
  if (!identical) {
    throw new ValidationError(
      `found multiple possible referrals: ${candidates.map((c) => `${c.kind}/${c.namespace}/${c.name}`).join(', ')} for ${rule.kind} ${name} referred to by ${rid.kind}/${rid.name}`,
      { file: referrer.source.file, line: referrer.source.line },
    );
  }
  return first;
}
