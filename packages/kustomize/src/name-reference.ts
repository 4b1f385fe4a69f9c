import { type JsonObject, ValidationError } from '@gitops-kit/core';
import type { NameBackReference } from './builtin-field-specs.js';
import { fieldSpecApplies, splitFieldPath, visitFieldPath } from './field-spec.js';
import { effectiveNamespace, isClusterScoped, type Resource } from './resource.js';

function isObj(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sameEndingSubarray(a: readonly string[], b: readonly string[]): boolean {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (short.length === 0) return long.length === 0;
  for (let i = 1; i <= short.length; i++) if (short[short.length - i] !== long[long.length - i]) return false;
  return true;
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
  // Index candidates by kind and every name they ever had.
  const byKindName = new Map<string, Resource[]>();
  for (const r of resources) {
    const seen = new Set<string>();
    for (const id of r.allIds()) {
      const key = `${id.kind}\u0000${id.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const list = byKindName.get(key);
      if (list) list.push(r);
      else byKindName.set(key, [r]);
    }
  }
  for (const rule of rules) {
    for (const referrer of resources) {
      const rid = referrer.curId();
      for (const fs of rule.fieldSpecs) {
        if (!fieldSpecApplies(fs, rid)) continue;
        visitFieldPath(referrer.obj, splitFieldPath(fs.path), (container, key) => {
          const value = container[key];
          if (typeof value === 'string') {
            // roleRef-like maps name their kind beside the name: only follow that kind.
            if (typeof container.kind === 'string' && container.kind !== rule.kind && key === 'name') return;
            const found = select(rule, referrer, value, undefined);
            if (found) container[key] = found.name;
          } else if (Array.isArray(value)) {
            for (let i = 0; i < value.length; i++) {
              const el = value[i];
              if (typeof el === 'string') {
                const found = select(rule, referrer, el, undefined);
                if (found) value[i] = found.name;
              } else if (isObj(el)) {
                updateNameNamespace(rule, referrer, el);
              }
            }
          } else if (isObj(value)) {
            updateNameNamespace(rule, referrer, value);
          }
        });
      }
    }
  }

  function updateNameNamespace(rule: NameBackReference, referrer: Resource, el: JsonObject): void {
    if (typeof el.name !== 'string') return;
    if (el.kind !== undefined && el.kind !== rule.kind) return;
    if ('namespace' in el && (el.namespace === null || el.namespace === '')) {
      const rid = referrer.curId();
      throw new ValidationError(
        `Invalid Input: namespace is blank for resource "${rid.kind}.${rid.version}.${rid.group}/${rid.name}.[${rid.namespace || 'noNs'}]"`,
        { file: referrer.source.file, line: referrer.source.line, path: 'subjects' },
      );
    }
    const ns = typeof el.namespace === 'string' ? el.namespace : undefined;
    const found = select(rule, referrer, el.name, ns);
    if (!found) return;
    el.name = found.name;
    if (found.namespace) el.namespace = found.namespace;
  }

  function select(
    rule: NameBackReference,
    referrer: Resource,
    name: string,
    ns: string | undefined,
  ): Resource | undefined {
    let candidates = (byKindName.get(`${rule.kind}\u0000${name}`) ?? []).filter((c) => {
      const id = c.curId();
      if (rule.group !== undefined && rule.group !== '' && !rule.group.startsWith(id.group)) return false;
      return true;
    });
    if (candidates.length === 0) return undefined;
    const rid = referrer.curId();
    const referrerClusterScoped = isClusterScoped(rid.group, rid.kind, clusterScoped);
    candidates = candidates.filter((c) => {
      const cid = c.curId();
      if (isClusterScoped(cid.group, cid.kind, clusterScoped)) return true;
      if (ns !== undefined) {
        return c.allIds().some((id) => effectiveNamespace(id) === (ns || 'default'));
      }
      if (referrerClusterScoped) return true;
      return effectiveNamespace(cid) === effectiveNamespace(rid);
    });
    if (candidates.length > 1) {
      const sieved = candidates.filter(
        (c) =>
          sameEndingSubarray(c.prefixes, referrer.prefixes) &&
          sameEndingSubarray(c.suffixes, referrer.suffixes),
      );
      if (sieved.length > 0) candidates = sieved;
    }
    if (candidates.length === 0) return undefined;
    const first = candidates[0] as Resource;
    if (candidates.length > 1 && !candidates.every((c) => c.name === first.name)) {
      throw new ValidationError(
        `found multiple possible referrals: ${candidates.map((c) => `${c.kind}/${c.namespace}/${c.name}`).join(', ')} for ${rule.kind} ${name} referred to by ${rid.kind}/${rid.name}`,
        { file: referrer.source.file },
      );
    }
    return first;
  }
}
