import {
  CLUSTER_SCOPED_KINDS,
  isClusterScopedKind,
  type JsonObject,
  type JsonValue,
  parseApiVersion,
  resolvePlainScalar,
} from '@gitops-kit/core';
import type { AnnotationText } from './annotation-texts.js';
import type { BigIntegerFields } from './plain-objects.js';
import type { RemoteSource, SourceLocation } from './source-location.js';
import type { AliasGroup } from './value-aliases.js';

export type { RemoteSource, SourceLocation };

/** `url` without a user name, password or token before its host, so it is safe in sources. */
export function redactUserInfo(url: string): string {
  return url.replace(/^((?:git::)?[a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1');
}

/** An object's identity as kustomize sees it (group, version, kind, namespace, name). */
export interface ResId {
  group: string;
  version: string;
  kind: string;
  name: string;
  namespace: string;
}

/** How a generated object combines with an existing one of the same id. */
export type GeneratorBehavior = 'create' | 'merge' | 'replace';

const CLUSTER_SCOPED_KIND_NAMES = new Set(Object.values(CLUSTER_SCOPED_KINDS).flat());

/** True when `kind` of `group` is cluster-scoped (built-in list plus CRDs the caller registered). */
export function isClusterScoped(group: string, kind: string, extra?: ReadonlySet<string>): boolean {
  // Most objects are of namespaced kinds: answer those without building a key.
  if (!CLUSTER_SCOPED_KIND_NAMES.has(kind) && (extra === undefined || extra.size === 0)) return false;
  return isClusterScopedKind(group, kind) || (extra?.has(`${group}/${kind}`) ?? false);
}

/**
 * One object of a render with kustomize's bookkeeping: its ids before renames (for name
 * references), the prefixes and suffixes it received, and whether a hash suffix is due.
 */
export class Resource {
  /** Ids the object had before renames, oldest first. */
  prevIds: ResId[] = [];
  /** Prefixes applied, innermost first. */
  prefixes: string[] = [];
  /** Suffixes applied, innermost first. */
  suffixes: string[] = [];
  /** The generator asked for a content-hash suffix. */
  needsHash = false;
  /** How a generated object merges into an existing one. */
  behavior: GeneratorBehavior | undefined;
  /** Builtin transformers that changed the object (for `transformerAnnotations`). */
  transformations: { configuredIn: string; kind: string }[] = [];
  /** For generated objects: the file and builtin generator that made them (origin annotations). */
  generatedBy: { configuredIn: string; kind: string; name?: string | undefined } | undefined;
  /** Integers beyond 2^53 as read from the source file, with their lines (for warnings). */
  bigIntegers: BigIntegerFields | undefined;
  /** Every id kustomize stored as a previous id (`StorePreviousId`), repeats included. */
  storedIds: ResId[] = [];
  /**
   * Fields a replacement gave text their type cannot hold (`"http"` in an int): kustomize keeps the
   * node and fails when it prints the object, unless something wrote the field again by then.
   */
  undecodable: {
    container: JsonObject | JsonValue[];
    key: string | number;
    /** Where the container was in the object when the text was written (list indices included). */
    path: (string | number)[];
    text: string;
    error: Error;
  }[] = [];
  /** Annotation values that are not strings, as their file wrote them (see annotation-texts.ts). */
  annotationTexts: Map<string, AnnotationText> | undefined;
  /** Fields that are one YAML node in kustomize (see value-aliases.ts). */
  aliases: AliasGroup[] = [];
  /** Paths of fields a replacement created, untagged nodes in kyaml (see untagged-scalars.ts). */
  untaggedPaths: string[][] = [];
  /**
   * How kyaml holds `metadata.name`: parsed from a file it is a string node (`tagged`); kustomize's
   * renames (prefixes, suffixes, generators, strategic merge patches) write an untagged node, whose
   * type is read again from its text when the object is printed, so a replacement that writes `1`
   * into it prints an integer.
   */
  nameTagged = true;
  /** The name node is quoted (a parsed `"7"` keeps its quotes through renames): it stays a string. */
  nameQuoted: boolean | undefined;
  /** Kustomization roots that defined vars referring to this object (unused marker for vars). */
  constructor(
    /** The object, as plain JSON. */
    public obj: JsonObject,
    /** Where it was read from. */
    public source: SourceLocation,
  ) {}

  get kind(): string {
    return typeof this.obj.kind === 'string' ? this.obj.kind : '';
  }
  get apiVersion(): string {
    return typeof this.obj.apiVersion === 'string' ? this.obj.apiVersion : '';
  }
  get metadata(): JsonObject {
    let m = this.obj.metadata;
    if (m === null || typeof m !== 'object' || Array.isArray(m)) {
      m = {};
      this.obj.metadata = m;
    }
    return m as JsonObject;
  }
  get name(): string {
    const n = (this.obj.metadata as JsonObject | undefined)?.name;
    return typeof n === 'string' ? n : '';
  }
  set name(value: string) {
    this.metadata.name = value;
  }
  get namespace(): string {
    const n = (this.obj.metadata as JsonObject | undefined)?.namespace;
    return typeof n === 'string' ? n : '';
  }
  /** The current id. */
  curId(): ResId {
    const { group, version } = parseApiVersion(this.apiVersion);
    return { group, version, kind: this.kind, name: this.name, namespace: this.namespace };
  }
  /** The id the object had when it was first read. */
  orgId(): ResId {
    return this.prevIds[0] ?? this.curId();
  }
  /** The current id and every previous one. */
  allIds(): ResId[] {
    return [...this.prevIds, this.curId()];
  }
  /**
   * The ids kustomize finds an object by (`GetMatchingResourcesByAnyId`): every id it stored
   * (a JSON patch in `patches` stores one even when it renames nothing) and the current one.
   */
  anyIds(): ResId[] {
    return [...this.storedIds, ...this.prevIds, this.curId()];
  }
  /** Records the current id as a previous one before a rename. */
  rememberId(): void {
    const cur = this.curId();
    this.storedIds.push(cur);
    const last = this.prevIds[this.prevIds.length - 1];
    if (!last || !sameId(last, cur)) this.prevIds.push(cur);
  }
  /**
   * Marks `metadata.name` as rewritten by kustomize (an untagged node). A rename keeps the node's
   * quoting (`keepStyle`, kyaml's SetScalar); SetName writes a plain one.
   */
  untagName(keepStyle: boolean): void {
    if (keepStyle) this.nameQuoted ??= this.nameTagged && nameNeedsQuotes(this.name);
    else this.nameQuoted = false;
    this.nameTagged = false;
  }
  /** A deep copy with the same bookkeeping. */
  clone(): Resource {
    const r = new Resource(structuredClone(this.obj), this.source);
    r.prevIds = this.prevIds.slice();
    r.storedIds = this.storedIds.slice();
    r.prefixes = this.prefixes.slice();
    r.suffixes = this.suffixes.slice();
    r.needsHash = this.needsHash;
    r.behavior = this.behavior;
    r.generatedBy = this.generatedBy;
    r.bigIntegers = this.bigIntegers;
    r.aliases = this.aliases.map((g) => ({ paths: g.paths.slice(), value: g.value }));
    r.annotationTexts = this.annotationTexts;
    r.undecodable = this.undecodable.slice();
    r.untaggedPaths = this.untaggedPaths.map((p) => p.slice());
    r.nameTagged = this.nameTagged;
    r.nameQuoted = this.nameQuoted;
    return r;
  }
}

// A parsed name whose text would not read back as a string was quoted in its file.
function nameNeedsQuotes(name: string): boolean {
  return typeof resolvePlainScalar(name) !== 'string';
}

/** The namespace kustomize compares: `default` for an unset namespace of a namespaced kind. */
export function effectiveNamespace(id: ResId, clusterScoped?: ReadonlySet<string>): string {
  if (isClusterScoped(id.group, id.kind, clusterScoped)) return '';
  return id.namespace === '' ? 'default' : id.namespace;
}

/** True when two ids name the same object. */
export function sameId(a: ResId, b: ResId, clusterScoped?: ReadonlySet<string>): boolean {
  return (
    a.group === b.group &&
    a.version === b.version &&
    a.kind === b.kind &&
    a.name === b.name &&
    effectiveNamespace(a, clusterScoped) === effectiveNamespace(b, clusterScoped)
  );
}

/** kustomize's string form of an id, for messages: `apps_v1_Deployment|ns|name`. */
export function formatResId(id: ResId): string {
  const gvk = [id.group || '~G', id.version || '~V', id.kind || '~K'].join('_');
  return `${gvk}|${id.namespace || '~X'}|${id.name || '~N'}`;
}

/** The key under which an id is indexed. */
export function idKey(id: ResId, clusterScoped?: ReadonlySet<string>): string {
  return `${id.group}\u0000${id.version}\u0000${id.kind}\u0000${effectiveNamespace(id, clusterScoped)}\u0000${id.name}`;
}
