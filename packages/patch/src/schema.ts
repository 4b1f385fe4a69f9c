import { parseApiVersion } from '@gitops-kit/core';

/** How a list is treated by server-side apply and structured merge (`x-kubernetes-list-type`). */
export type ListType = 'atomic' | 'set' | 'map';

/** How a map is treated by server-side apply (`x-kubernetes-map-type`). */
export type MapType = 'atomic' | 'granular';

/**
 * One node of a patch schema, as plain JSON: the OpenAPI subset that patching needs. A node either
 * refers to a named definition (`ref`) or describes a value inline.
 */
export interface SchemaNodeData {
  /** Name of a definition in {@link PatchSchemaData.definitions} that describes this value. */
  ref?: string;
  /** Fields of an object. */
  properties?: Record<string, SchemaNodeData>;
  /** The items of a list. */
  items?: SchemaNodeData;
  /** The values of a map with arbitrary keys (`map[string]T`). */
  additionalProperties?: SchemaNodeData;
  /** `x-kubernetes-patch-strategy`: `merge`, `replace`, `retainKeys` or `merge,retainKeys`. */
  patchStrategy?: string;
  /** `x-kubernetes-patch-merge-key`. */
  patchMergeKey?: string;
  /** `x-kubernetes-list-type`. */
  listType?: ListType;
  /** `x-kubernetes-list-map-keys`. */
  listMapKeys?: string[];
  /** `x-kubernetes-map-type`. */
  mapType?: MapType;
}

/** A patch schema as plain JSON: named definitions and the root node of each kind. */
export interface PatchSchemaData {
  /** Named, reusable nodes (`io.k8s.api.core.v1.PodSpec`). */
  definitions: Record<string, SchemaNodeData>;
  /**
   * The root node of each kind, keyed `group/version/Kind` (core group: empty, so `/v1/Pod`) or
   * `group/Kind` to match every version.
   */
  kinds: Record<string, SchemaNodeData>;
}

/** The patch strategy of a field, split as Kubernetes splits `x-kubernetes-patch-strategy`. */
export interface FieldPatchStrategy {
  /** `merge` (lists merged by key, or primitive lists unioned), `replace`, or none (the default). */
  strategy: 'merge' | 'replace' | undefined;
  /** True when the field also carries the `retainKeys` strategy. */
  retainKeys: boolean;
}

/**
 * A node of a {@link PatchSchema} at some field path: what patch strategy, merge key, list type and
 * map keys apply there. Navigate with {@link SchemaNode.field}, {@link SchemaNode.items} and
 * {@link SchemaNode.values}.
 */
export class SchemaNode {
  /** The node data, with any `ref` resolved. */
  readonly data: SchemaNodeData;
  private readonly definitions: Record<string, SchemaNodeData>;

  /** Wraps `data`, resolving `ref`s against `definitions`. */
  constructor(data: SchemaNodeData, definitions: Record<string, SchemaNodeData>) {
    this.definitions = definitions;
    this.data = resolveRef(data, definitions);
  }

  // Children are built once: patching walks the same nodes for every object of a kind.
  private readonly children = new Map<string, SchemaNode | undefined>();
  private itemsNode: SchemaNode | null | undefined;
  private valuesNode: SchemaNode | null | undefined;

  /** The node of field `name` of an object, or undefined when the schema does not describe it. */
  field(name: string): SchemaNode | undefined {
    if (this.children.has(name)) return this.children.get(name);
    const props = this.data.properties;
    const child = props !== undefined && Object.hasOwn(props, name) ? props[name] : undefined;
    const node = child !== undefined ? new SchemaNode(child, this.definitions) : this.values();
    this.children.set(name, node);
    return node;
  }

  /** The node of the items of a list. */
  items(): SchemaNode | undefined {
    if (this.itemsNode === undefined) {
      const items = this.data.items;
      this.itemsNode = items === undefined ? null : new SchemaNode(items, this.definitions);
    }
    return this.itemsNode ?? undefined;
  }

  /** The node of the values of a map with arbitrary keys. */
  values(): SchemaNode | undefined {
    if (this.valuesNode === undefined) {
      const extra = this.data.additionalProperties;
      this.valuesNode = extra === undefined ? null : new SchemaNode(extra, this.definitions);
    }
    return this.valuesNode ?? undefined;
  }

  /** The patch strategy, split into its merge/replace part and its retainKeys flag. */
  get patchStrategy(): FieldPatchStrategy {
    return parsePatchStrategy(this.data.patchStrategy);
  }

  /** The strategic-merge-patch merge key of a list of objects. */
  get mergeKey(): string | undefined {
    return this.data.patchMergeKey;
  }

  /**
   * The list type for server-side apply. When the schema gives none, a list with the `merge` patch
   * strategy is a `map` keyed by its merge key (or a `set` of primitives), as Kubernetes derives it.
   */
  get listType(): ListType | undefined {
    if (this.data.listType !== undefined) return this.data.listType;
    const { strategy } = this.patchStrategy;
    if (strategy === 'merge') return this.data.patchMergeKey !== undefined ? 'map' : 'set';
    return undefined;
  }

  /** The keys that identify an item of a `map` list. */
  get listMapKeys(): string[] | undefined {
    if (this.data.listMapKeys !== undefined) return [...this.data.listMapKeys];
    if (this.listType === 'map' && this.data.patchMergeKey !== undefined) return [this.data.patchMergeKey];
    return undefined;
  }

  /** The map type for server-side apply. */
  get mapType(): MapType | undefined {
    return this.data.mapType;
  }
}

function resolveRef(data: SchemaNodeData, definitions: Record<string, SchemaNodeData>): SchemaNodeData {
  let node = data;
  // A ref may carry its own strategy (the field's tags) beside the referenced type: keep both.
  for (let depth = 0; node.ref !== undefined && depth < 32; depth++) {
    const target = Object.hasOwn(definitions, node.ref) ? definitions[node.ref] : undefined;
    const { ref: _ref, ...own } = node;
    node = target === undefined ? own : { ...target, ...own };
  }
  return node;
}

/** Splits an `x-kubernetes-patch-strategy` value (`merge`, `merge,retainKeys`, …). */
export function parsePatchStrategy(value: string | undefined): FieldPatchStrategy {
  let strategy: FieldPatchStrategy['strategy'];
  let retainKeys = false;
  if (value === undefined) return { strategy, retainKeys };
  for (const part of value.split(',')) {
    const p = part.trim();
    if (p === 'retainKeys') retainKeys = true;
    else if (p === 'merge' || p === 'replace') strategy = p;
  }
  return { strategy, retainKeys };
}

/**
 * A lookup of patch strategy, merge key, list type and list-map keys per (group, kind, field path):
 * what strategic merge patch, server-side apply and structured diff need to know about a field.
 */
export interface PatchSchema {
  /** The data the schema is made of (plain JSON, so it can be saved or combined). */
  readonly data: PatchSchemaData;
  /** The root node of objects of `apiVersion`/`kind`, or undefined when the kind is not described. */
  root(apiVersion: string, kind: string): SchemaNode | undefined;
}

/** Builds a {@link PatchSchema} from its plain JSON data. */
export function patchSchemaFromData(data: PatchSchemaData): PatchSchema {
  const roots = new Map<string, SchemaNode | undefined>();
  return {
    data,
    root(apiVersion: string, kind: string): SchemaNode | undefined {
      const cacheKey = `${apiVersion}\u0000${kind}`;
      if (roots.has(cacheKey)) return roots.get(cacheKey);
      const { group, version } = parseApiVersion(apiVersion);
      const exact = `${group}/${version}/${kind}`;
      const anyVersion = `${group}/${kind}`;
      const node = Object.hasOwn(data.kinds, exact)
        ? data.kinds[exact]
        : Object.hasOwn(data.kinds, anyVersion)
          ? data.kinds[anyVersion]
          : undefined;
      const root = node === undefined ? undefined : new SchemaNode(node, data.definitions);
      roots.set(cacheKey, root);
      return root;
    },
  };
}

/**
 * Combines schemas: a kind is looked up in each schema in turn and the first that describes it
 * wins, so pass the most specific first (e.g. CRD schemas, then {@link builtinPatchSchema}).
 */
export function combineSchemas(...schemas: PatchSchema[]): PatchSchema {
  const definitions: Record<string, SchemaNodeData> = {};
  const kinds: Record<string, SchemaNodeData> = {};
  for (const schema of schemas) {
    for (const [name, def] of Object.entries(schema.data.definitions)) {
      if (!Object.hasOwn(definitions, name)) definitions[name] = def;
    }
  }
  const combined: PatchSchema = {
    data: { definitions, kinds },
    root(apiVersion: string, kind: string): SchemaNode | undefined {
      for (const schema of schemas) {
        const node = schema.root(apiVersion, kind);
        if (node !== undefined) return node;
      }
      return undefined;
    },
  };
  // Exact keys of later schemas must not shadow a more specific earlier one in the data either.
  for (const schema of schemas) {
    for (const [key, node] of Object.entries(schema.data.kinds)) {
      if (!Object.hasOwn(kinds, key)) kinds[key] = node;
    }
  }
  return combined;
}

/** A path segment: a field name, or a list index. */
export type FieldPathSegment = string | number;

/** What a schema says about one field: the answer to "what is the list type/keys/strategy here". */
export interface FieldSchemaInfo {
  /** The schema node at the path. */
  node: SchemaNode;
  /** `merge`, `replace` or undefined (the default: replace lists, merge maps). */
  patchStrategy: 'merge' | 'replace' | undefined;
  /** True when the field carries the `retainKeys` strategy. */
  retainKeys: boolean;
  /** The strategic-merge-patch merge key. */
  mergeKey: string | undefined;
  /** The server-side-apply list type. */
  listType: ListType | undefined;
  /** The server-side-apply list-map keys. */
  listMapKeys: string[] | undefined;
  /** The server-side-apply map type. */
  mapType: MapType | undefined;
}

/**
 * Looks up the schema of the field at `path` inside objects of `apiVersion`/`kind`. Numbers in the
 * path step into list items (`['spec', 'template', 'spec', 'containers', 0, 'ports']`). Returns
 * undefined when the schema does not describe the kind or the path.
 */
export function lookupFieldSchema(
  schema: PatchSchema,
  apiVersion: string,
  kind: string,
  path: readonly FieldPathSegment[],
): FieldSchemaInfo | undefined {
  let node = schema.root(apiVersion, kind);
  for (const segment of path) {
    if (node === undefined) return undefined;
    node = typeof segment === 'number' ? node.items() : node.field(segment);
  }
  if (node === undefined) return undefined;
  const { strategy, retainKeys } = node.patchStrategy;
  return {
    node,
    patchStrategy: strategy,
    retainKeys,
    mergeKey: node.mergeKey,
    listType: node.listType,
    listMapKeys: node.listMapKeys,
    mapType: node.mapType,
  };
}
