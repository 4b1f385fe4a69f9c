import { type JsonObject, type JsonValue, ValidationError } from '@gitops-kit/core';
import { type FieldSpec, fieldSpecApplies, splitFieldPath, visitFieldPath } from './field-spec.js';
import { idKey, isClusterScoped, type Resource } from './resource.js';
import { syncAliases } from './value-aliases.js';

function isObj(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Options every transformer receives. */
export interface TransformContext {
  /** Kinds (`group/kind`) known to be cluster-scoped beyond the built-in list. */
  clusterScoped: ReadonlySet<string>;
}

/** Adds `entries` to the map at every field spec (kustomize's LabelTransformer / AnnotationsTransformer). */
export function addMapEntries(
  resources: readonly Resource[],
  entries: Record<string, string>,
  fieldSpecs: readonly FieldSpec[],
  what: string,
): void {
  if (Object.keys(entries).length === 0) return;
  for (const r of resources) {
    const id = r.curId();
    const specs = fieldSpecs.filter((fs) => fieldSpecApplies(fs, id));
    if (specs.length === 0) continue;
    // kustomize sets one key at a time across all field specs (kyaml's SetEntry, one node per key).
    for (const k of Object.keys(entries).sort()) {
      const v = entries[k] as string;
      const added: (string | number)[][] = [];
      for (const fs of specs) {
        visitFieldPath(
          r.obj,
          splitFieldPath(fs.path),
          (container, key, path) => {
            let m = container[key];
            if (m === null || m === undefined) {
              m = {};
              container[key] = m;
            }
            if (!isObj(m)) {
              throw new ValidationError(`${what}: field ${fs.path} of ${id.kind}/${id.name} is not a map`, {
                file: r.source.file,
                path: fs.path,
              });
            }
            if (!(k in m)) added.push([...path, k]);
            m[k] = v;
          },
          // An object kustomize stored previous ids of carries them as annotations while it builds
          // (internal-annotations.ts): its metadata/annotations exists even when it has none.
          fs.create || (fs.path === 'metadata/annotations' && r.storedIds.length > 0)
            ? () => ({})
            : undefined,
        );
      }
      // An existing key was written in place (into a node it may share); the new ones share one.
      syncAliases(r.obj, r.aliases);
      if (added.length > 1) r.aliases.push({ paths: added, value: v });
    }
  }
}

// Kinds whose names prefixes and suffixes never touch (PrefixSuffixTransformer's skip list).
function skipRename(r: Resource): boolean {
  const id = r.orgId();
  return (
    id.kind === 'CustomResourceDefinition' ||
    id.kind === 'Namespace' ||
    (id.kind === 'APIService' && id.group === 'apiregistration.k8s.io')
  );
}

/** kustomize's PrefixSuffixTransformer. */
export function addNamePrefixSuffix(
  resources: readonly Resource[],
  prefix: string,
  suffix: string,
  fieldSpecs: readonly FieldSpec[],
): void {
  if (!prefix && !suffix) return;
  for (const r of resources) {
    if (skipRename(r)) continue;
    const id = r.curId();
    for (const fs of fieldSpecs) {
      if (!fieldSpecApplies(fs, id)) continue;
      if (fs.path === 'metadata/name') {
        r.rememberId();
        r.untagName(true);
        r.name = `${prefix}${r.name}${suffix}`;
        if (prefix) r.prefixes.push(prefix);
        if (suffix) r.suffixes.push(suffix);
        continue;
      }
      visitFieldPath(r.obj, splitFieldPath(fs.path), (c, k) => {
        if (typeof c[k] === 'string') c[k] = `${prefix}${c[k]}${suffix}`;
      });
    }
  }
}

/** Options of kustomize's NamespaceTransformer. */
export interface NamespaceOptions {
  namespace: string;
  fieldSpecs: readonly FieldSpec[];
  unsetOnly?: boolean;
  setRoleBindingSubjects?: 'defaultOnly' | 'allServiceAccounts' | 'none';
}

/** kustomize's NamespaceTransformer: namespaced objects move, RoleBinding subjects follow. */
export function setNamespace(
  resources: readonly Resource[],
  opts: NamespaceOptions,
  ctx: TransformContext,
): void {
  if (!opts.namespace) return;
  const mode = opts.setRoleBindingSubjects ?? 'defaultOnly';
  for (const r of resources) {
    const id = r.curId();
    // A core Namespace object becomes the target namespace itself.
    // kustomize records every object's id before this transformer, moved or not: name references
    // later consider exactly the objects with a recorded previous id.
    r.rememberId();
    if (id.kind === 'Namespace' && id.group === '' && !opts.unsetOnly && r.name !== opts.namespace) {
      r.name = opts.namespace;
    }
    const clusterScopedObject = isClusterScoped(id.group, id.kind, ctx.clusterScoped);
    for (const fs of opts.fieldSpecs) {
      if (!fieldSpecApplies(fs, id)) continue;
      if (fs.path === 'metadata/namespace') {
        // Cluster-scoped objects keep no namespace.
        if (clusterScopedObject) continue;
        if (opts.unsetOnly && r.namespace) continue;
        if (r.namespace !== opts.namespace) r.metadata.namespace = opts.namespace;
        continue;
      }
      visitFieldPath(
        r.obj,
        splitFieldPath(fs.path),
        (c, k) => {
          if (opts.unsetOnly && c[k]) return;
          c[k] = opts.namespace;
        },
        fs.create ? () => opts.namespace : undefined,
      );
    }
    if ((id.kind === 'RoleBinding' || id.kind === 'ClusterRoleBinding') && mode !== 'none') {
      const subjects = r.obj.subjects;
      if (!Array.isArray(subjects)) continue;
      for (const s of subjects) {
        if (!isObj(s) || s.kind !== 'ServiceAccount') continue;
        // defaultOnly: only the `default` service account follows the namespace.
        if (mode === 'defaultOnly' && s.name !== 'default') continue;
        s.namespace = opts.namespace;
      }
    }
  }
  // kustomize checks after moving each object that no other has its id now (GetMatchingResourcesByCurrentId).
  {
    const seen = new Set<string>();
    for (const r of resources) {
      const key = idKey(r.curId(), ctx.clusterScoped);
      if (seen.has(key)) {
        throw new ValidationError(`namespace transformation produces ID conflict: ${r.kind}/${r.name}`, {
          file: r.source.file,
          line: r.source.line,
          code: 'DUPLICATE_RESOURCE',
        });
      }
      seen.add(key);
    }
  }
}

/** One `images` entry. */
export interface ImageSpec {
  name: string;
  newName?: string;
  newTag?: string;
  /** Appended to the tag when neither `newTag` nor `digest` is given (the digest is dropped). */
  tagSuffix?: string;
  digest?: string;
}

/** Splits an image reference into name, tag and digest. */
export function splitImage(image: string): { name: string; tag: string; digest: string } {
  let rest = image;
  let digest = '';
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag = '';
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { name: rest, tag, digest };
}

function updateImage(image: string, spec: ImageSpec): string | undefined {
  const parts = splitImage(image);
  if (parts.name !== spec.name) return undefined;
  let name = parts.name;
  let tag = parts.tag ? `:${parts.tag}` : '';
  let digest = parts.digest ? `@${parts.digest}` : '';
  if (spec.newName) name = spec.newName;
  // A new tag or digest replaces both the old tag and the old digest; both given make tag@digest.
  if (spec.newTag || spec.digest) {
    tag = spec.newTag ? `:${spec.newTag}` : '';
    digest = spec.digest ? `@${spec.digest}` : '';
  } else if (spec.tagSuffix) {
    // Not idempotent: kustomize updates an image by its field specs and again by its walk of
    // every containers list, so an image whose name stays gets the suffix twice (as kubectl does).
    tag = `:${parts.tag}${spec.tagSuffix}`;
    digest = '';
  }
  return `${name}${tag}${digest}`;
}

function walkContainers(v: JsonValue, specs: readonly ImageSpec[]): void {
  if (Array.isArray(v)) {
    for (const e of v) if (e !== null && typeof e === 'object') walkContainers(e, specs);
    return;
  }
  if (v === null || typeof v !== 'object') return;
  for (const k in v) {
    const child = v[k];
    if (child === null || child === undefined || typeof child !== 'object') continue;
    if ((k === 'containers' || k === 'initContainers') && Array.isArray(child)) {
      for (const c of child) {
        if (!isObj(c) || typeof c.image !== 'string') continue;
        for (const spec of specs) {
          const updated = updateImage(c.image, spec);
          if (updated !== undefined) {
            c.image = updated;
            break;
          }
        }
      }
    }
    walkContainers(child, specs);
  }
}

/** kustomize's ImageTagTransformer: field specs plus the legacy walk of every containers list. */
export function setImages(
  resources: readonly Resource[],
  specs: readonly ImageSpec[],
  fieldSpecs: readonly FieldSpec[],
): void {
  if (specs.length === 0) return;
  // kustomize runs one ImageTagTransformer per entry, in order: an image the first entry rewrote
  // can match a later entry, never an earlier one.
  for (const spec of specs) {
    for (const r of resources) {
      const id = r.curId();
      for (const fs of fieldSpecs) {
        if (!fieldSpecApplies(fs, id)) continue;
        visitFieldPath(r.obj, splitFieldPath(fs.path), (c, k) => {
          const v = c[k];
          if (typeof v !== 'string') return;
          const updated = updateImage(v, spec);
          if (updated !== undefined) c[k] = updated;
        });
      }
      walkContainers(r.obj, [spec]);
    }
  }
}

/** kustomize's ReplicaCountTransformer. */
export function setReplicas(
  resources: readonly Resource[],
  entries: readonly { name: string; count: number | bigint }[],
  fieldSpecs: readonly FieldSpec[],
): void {
  for (const e of entries) {
    // kustomize refuses an entry whose name no object of the field specs' kinds has (had).
    let found = false;
    for (const r of resources) {
      const ids = r.allIds();
      for (const fs of fieldSpecs) {
        if (!ids.some((id) => id.name === e.name && fieldSpecApplies(fs, id))) continue;
        found = true;
        visitFieldPath(
          r.obj,
          splitFieldPath(fs.path),
          (c, k) => {
            // A bigint count stays exact for the YAML output, as a resource's own integers do.
            c[k] = e.count as JsonValue;
          },
          fs.create ? () => e.count as JsonValue : undefined,
        );
      }
    }
    if (!found) {
      const gvks = fieldSpecs.map(
        (fs) => `${fs.kind || '[noKind]'}.${fs.version || '[noVer]'}.${fs.group || '[noGrp]'}`,
      );
      throw new ValidationError(
        `resource with name ${e.name} does not match a config with the following GVK [${gvks.join(' ')}]`,
        { path: 'replicas' },
      );
    }
  }
}
