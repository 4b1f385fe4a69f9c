import { type JsonObject, ValidationError } from '@gitops-kit/core';
import { type ResId, type Resource, sameId } from './resource.js';

function isObj(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Where a generator was configured, for errors: the kustomization file and its field. */
export interface GeneratorSite {
  file: string;
  path: string;
}

function idText(id: ResId): string {
  return `${id.group ? `${id.group}/` : ''}${id.version}_${id.kind}|${id.namespace || '~X'}|${id.name}`;
}

/**
 * The objects a kustomization has accumulated, indexed by kind and every name they had, so that
 * each generated object finds its match in constant time (kustomize scans the whole map).
 */
export class GeneratedObjectIndex {
  private readonly byKindName = new Map<string, Resource[]>();

  constructor(
    /** The accumulated objects; generated ones are appended to it. */
    private readonly resources: Resource[],
    /** Cluster-scoped kinds the render registered (CRDs), for effective namespaces. */
    private readonly clusterScoped: ReadonlySet<string>,
  ) {
    for (const r of resources) this.index(r);
  }

  private index(r: Resource): void {
    for (const id of r.anyIds()) {
      const key = `${id.kind}\u0000${id.name}`;
      const list = this.byKindName.get(key);
      if (!list) this.byKindName.set(key, [r]);
      else if (!list.includes(r)) list.push(r);
    }
  }

  /**
   * kustomize's `appendReplaceOrMerge`: the objects with any id (previous or current) equal to the
   * generated object's, compared as kustomize's `ResId.Equals` does (group, version, kind, name and
   * effective namespace, an unset one being `default`). None: a new object, or an error for
   * merge/replace. One: an error for create, else the generated object takes the old one's place.
   * More: an error.
   */
  absorb(generated: Resource, site: GeneratorSite): void {
    const id = generated.curId();
    const candidates = this.byKindName.get(`${id.kind}\u0000${id.name}`) ?? [];
    const matches = candidates.filter((r) => r.anyIds().some((x) => sameId(x, id, this.clusterScoped)));
    const behavior = generated.behavior ?? 'create';
    if (matches.length > 1) {
      throw new ValidationError(
        `found multiple objects ${matches.map((m) => idText(m.curId())).join(', ')} that could accept merge of ${idText(id)}`,
        { ...site, code: 'DUPLICATE_RESOURCE' },
      );
    }
    const old = matches[0];
    if (old === undefined) {
      if (behavior !== 'create')
        throw new ValidationError(
          `id ${JSON.stringify(idText(id))} does not exist; cannot merge or replace`,
          site,
        );
      this.resources.push(generated);
      this.index(generated);
      return;
    }
    if (behavior === 'create') {
      throw new ValidationError(
        `may not add resource with an already registered id: ${idText(id)} exists; behavior must be merge or replace`,
        { ...site, code: 'DUPLICATE_RESOURCE' },
      );
    }
    takePlace(old, generated);
  }
}

/**
 * kustomize's `CopyMergeMetaDataFieldsFrom` (and, for merge, `MergeDataMapFrom`): the generated
 * object keeps the old one's name, namespace and bookkeeping (previous ids, prefixes, suffixes),
 * merges labels and annotations (the generator's win) and, for merge, the data maps; every other
 * field (type, immutable, stringData…) is the generated object's.
 */
function takePlace(old: Resource, generated: Resource): void {
  const oldMeta = old.metadata;
  const obj = structuredClone(generated.obj);
  const meta = (isObj(obj.metadata) ? obj.metadata : {}) as JsonObject;
  obj.metadata = meta;
  meta.name = old.name;
  if (old.namespace) meta.namespace = old.namespace;
  else delete meta.namespace;
  for (const f of ['labels', 'annotations']) {
    const merged = {
      ...(isObj(oldMeta[f]) ? (oldMeta[f] as JsonObject) : {}),
      ...(isObj(meta[f]) ? (meta[f] as JsonObject) : {}),
    };
    if (Object.keys(merged).length > 0) meta[f] = merged;
  }
  if (generated.behavior === 'merge') {
    for (const f of ['data', 'binaryData']) {
      const merged = {
        ...(isObj(old.obj[f]) ? (old.obj[f] as JsonObject) : {}),
        ...(isObj(obj[f]) ? (obj[f] as JsonObject) : {}),
      };
      // kyaml's SetDataMap clears the field first and writes nothing for an empty map.
      if (Object.keys(merged).length > 0) obj[f] = merged;
      else delete obj[f];
    }
  }
  old.obj = obj;
  // CopyMergeMetaDataFieldsFrom sets the old name with SetName: a new, untagged node.
  old.untagName(false);
  // The new object shares no YAML nodes with the old one.
  old.aliases = [];
  old.bigIntegers = undefined;
  // The hash annotation survives only when both objects asked for it.
  if (!generated.needsHash) old.needsHash = false;
  // A merge keeps the old object's origin; a replace takes the generator's.
  if (generated.behavior === 'replace') old.generatedBy = generated.generatedBy;
}
