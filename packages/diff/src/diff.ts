import {
  apiGroupOf,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  jsonEqual,
  type KubeObject,
  ParseError,
  ValidationError,
} from '@gitops-kit/core';
import { applyMergePatch, createMergePatch } from '@gitops-kit/patch';
import { computeChanges, type FieldChange } from './changes.js';
import { describeObject } from './describe-object.js';
import { applyIgnoreRules, type IgnoreOptions } from './ignore.js';
import {
  builtinListSchema,
  hasBuiltinListSchema,
  type ListSchema,
  type ListSemantics,
} from './list-schema.js';
import { listKeysOf, ownedFields, projectFields, removeFields, revertUnowned } from './managed-fields.js';
import { hideSecretData, isSecret } from './mask.js';
import { mergeThreeWay } from './merge.js';
import {
  finalizeInPlace,
  LAST_APPLIED_ANNOTATION,
  type NormalizeOptions,
  normalizeInPlace,
  normalizeObject,
} from './normalize.js';

/**
 * How predicted live is computed. `auto`: three-way when live carries kubectl's last-applied
 * annotation (valid JSON), two-way otherwise. `structured-merge`: server-side apply semantics from
 * live's `managedFields`. `server-side`: a server-side apply dry run's answer, given by the caller.
 */
export type DiffStrategy = 'auto' | 'three-way' | 'two-way' | 'structured-merge' | 'server-side';

/** The manager name used when none is given. */
export const DEFAULT_MANAGER = 'gitops-kit';

/** Options of {@link diff}. */
export interface DiffOptions extends NormalizeOptions, IgnoreOptions {
  /** The strategy (default `auto`). */
  strategy?: DiffStrategy;
  /** Our field manager, for `structured-merge` and `server-side` (default {@link DEFAULT_MANAGER}). */
  manager?: string;
  /** The object a server-side apply dry run of `desired` returned (required by `server-side`). */
  serverSideDryRun?: KubeObject | null;
  /**
   * `server-side`: reset fields our manager does not own (mutating webhooks, defaults other
   * controllers set) to their live values (default true).
   */
  ignoreMutationWebhook?: boolean;
  /** Keyed lists of custom resources, by dotted field path (`spec.listeners` → `{keys: ['name']}`). */
  customListKeys?: Readonly<Record<string, ListSemantics>>;
  /** Return Secret values unmasked. Default false: Secret values are masked in every output. */
  showSecretValues?: boolean;
  /** Secret annotations to mask too. */
  hideAnnotations?: readonly string[];
}

/** The outcome of comparing one desired object with its live counterpart. */
export interface DiffResult {
  /** True when applying desired would change live (or create it). */
  modified: boolean;
  /** The strategy used (`auto` resolved). */
  strategy: Exclude<DiffStrategy, 'auto'>;
  /** Live as it would be after applying desired, normalised; null when there is no desired object. */
  predictedLive: KubeObject | null;
  /** Live, normalised the same way; null when the object does not exist yet. */
  normalizedLive: KubeObject | null;
  /**
   * The RFC 7386 JSON merge patch that turns `normalizedLive` into `predictedLive` (`{}` when
   * unchanged, the whole object for a creation, null when there is no desired object).
   */
  patch: JsonValue | null;
  /** Each differing field, from live to predicted. */
  changes: FieldChange[];
  /** Fallbacks taken (a last-applied annotation that is not JSON, a dry run without our manager). */
  warnings: string[];
}

function checkObject(value: unknown, role: string): KubeObject | null {
  if (value === null || value === undefined) return null;
  if (!isJsonObject(value))
    throw new ValidationError(`the ${role} object is not a JSON object`, { path: role });
  if (typeof value.apiVersion !== 'string' || value.apiVersion === '') {
    throw new ValidationError(`the ${role} object has no apiVersion`, { path: `${role}.apiVersion` });
  }
  if (typeof value.kind !== 'string' || value.kind === '') {
    throw new ValidationError(`the ${role} object has no kind`, { path: `${role}.kind` });
  }
  if (value.metadata !== undefined && value.metadata !== null && !isJsonObject(value.metadata)) {
    throw new ValidationError(`the ${role} object's metadata is not an object`, { path: `${role}.metadata` });
  }
  return value as unknown as KubeObject;
}

function checkSameObject(desired: KubeObject, live: KubeObject): void {
  const dg = apiGroupOf(desired.apiVersion);
  const lg = apiGroupOf(live.apiVersion);
  if (dg !== lg || desired.kind !== live.kind) {
    throw new ValidationError(
      `cannot compare ${desired.apiVersion} ${desired.kind} with ${live.apiVersion} ${live.kind}: different kinds`,
      { path: 'kind' },
    );
  }
  const dn = desired.metadata?.name;
  const ln = live.metadata?.name;
  if (dn !== undefined && ln !== undefined && dn !== ln) {
    throw new ValidationError(
      `cannot compare ${describeObject(desired)} with ${describeObject(live)}: different names`,
      {
        path: 'metadata.name',
      },
    );
  }
  const dns = desired.metadata?.namespace;
  const lns = live.metadata?.namespace;
  if (dns && lns && dns !== lns) {
    throw new ValidationError(
      `cannot compare ${describeObject(desired)} with ${describeObject(live)}: different namespaces`,
      {
        path: 'metadata.namespace',
      },
    );
  }
}

function readLastApplied(live: KubeObject): { value?: KubeObject; error?: string } {
  const text = live.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
  if (typeof text !== 'string' || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { error: 'the last-applied-configuration annotation is not JSON' };
  }
  if (!isJsonObject(parsed))
    return { error: 'the last-applied-configuration annotation is not a JSON object' };
  return { value: parsed as unknown as KubeObject };
}

/**
 * True for kinds the Kubernetes API server serves itself (core, unqualified groups, `*.k8s.io`
 * other than `*.x-k8s.io`): kubectl uses a strategic merge patch for these and a JSON merge patch
 * for custom resources.
 */
export function isBuiltinGroup(group: string): boolean {
  return group === '' || !group.includes('.') || (group.endsWith('.k8s.io') && !group.endsWith('.x-k8s.io'));
}

function withoutNamespace(obj: KubeObject | undefined): KubeObject | undefined {
  if (obj?.metadata) delete obj.metadata.namespace;
  return obj;
}

function asJson(obj: KubeObject): JsonObject {
  return obj as unknown as JsonObject;
}

/**
 * Compares a desired object with its live counterpart and predicts what live becomes once desired
 * is applied. Both sides are normalised first (server metadata, status, Secret `stringData`,
 * quantities, int-or-string ports, empty values, ignore rules); the prediction follows the chosen
 * strategy and gets the API server's defaults, so only real changes count as `modified`. Secret
 * values are masked in every output unless `showSecretValues` is set.
 *
 * `desired` null means the object is only live (not modified: pruning is decided elsewhere); `live`
 * null means it is to be created (modified). Objects of different kinds, names or namespaces, or
 * without apiVersion or kind, are a `ValidationError`; a last-applied annotation that is not JSON
 * falls back to two-way with a warning (a `ParseError` when `three-way` was asked for); a jq
 * expression over its time limit is a `TimeoutError`.
 */
export function diff(
  desired: KubeObject | null | undefined,
  live: KubeObject | null | undefined,
  options: DiffOptions = {},
): DiffResult {
  const d = checkObject(desired, 'desired');
  const l = checkObject(live, 'live');
  if (d === null && l === null)
    throw new ValidationError('nothing to compare: both desired and live are missing');
  if (d !== null && l !== null) checkSameObject(d, l);
  const warnings: string[] = [];
  const identity = (l ?? d) as KubeObject;
  const group = apiGroupOf(identity.apiVersion);
  const requested = options.strategy ?? 'auto';

  let last: KubeObject | undefined;
  if (l !== null && (requested === 'auto' || requested === 'three-way')) {
    const read = readLastApplied(l);
    if (read.error !== undefined) {
      if (requested === 'three-way')
        throw new ParseError(read.error, { path: `metadata.annotations.${LAST_APPLIED_ANNOTATION}` });
      warnings.push(`${read.error}; fell back to a two-way diff`);
    }
    last = read.value;
  }
  if (requested === 'three-way' && l !== null && last === undefined && warnings.length === 0) {
    warnings.push('live has no last-applied-configuration annotation; fell back to a two-way diff');
  }
  let strategy: Exclude<DiffStrategy, 'auto'>;
  if (requested === 'auto' || requested === 'three-way')
    strategy = last !== undefined ? 'three-way' : 'two-way';
  else strategy = requested;

  const nd = d ? withoutNamespace(normalizeObject(d, options)) : undefined;
  const nl = l ? normalizeObject(l, options) : undefined;
  // The last-applied object was parsed here: it is ours to normalise in place.
  const nlast = last ? withoutNamespace(normalizeInPlace(last, options)) : undefined;
  let dry: KubeObject | undefined;
  if (strategy === 'server-side' && d !== null && l !== null) {
    const answer = checkObject(options.serverSideDryRun, 'serverSideDryRun');
    if (answer === null) {
      throw new ValidationError('the server-side strategy needs the answer of a server-side apply dry run', {
        path: 'serverSideDryRun',
      });
    }
    dry = predictServerSide(answer, l, options, warnings);
  }
  const [id, ilast, il, idry] = applyIgnoreRules([nd, nlast, nl, dry], identity, l ?? undefined, options);

  let predicted: KubeObject | null;
  let normalizedLive: KubeObject | null;
  if (id === undefined) {
    predicted = null;
    normalizedLive = il ? finalizeInPlace(il, options) : null;
  } else if (il === undefined) {
    predicted = finalizeInPlace(id, options);
    normalizedLive = null;
  } else {
    const merged = predict(strategy, id, ilast, il, idry, l as KubeObject, group, options);
    // Objects are the same across versions of a group; the server answers in the version asked.
    merged.apiVersion = il.apiVersion;
    predicted = finalizeInPlace(merged, options);
    normalizedLive = finalizeInPlace(il, options);
  }
  // Defaults may bring an ignored field back; the rules have the last word.
  if (hasIgnoreRules(options) && (predicted !== null || normalizedLive !== null)) {
    const [p, n] = applyIgnoreRules(
      [predicted ?? undefined, normalizedLive ?? undefined],
      identity,
      l ?? undefined,
      options,
    );
    predicted = p ?? null;
    normalizedLive = n ?? null;
  }
  const modified = predicted !== null && (normalizedLive === null || !jsonEqual(predicted, normalizedLive));

  if (!options.showSecretValues && (isSecret(predicted) || isSecret(normalizedLive))) {
    const masked = hideSecretData(predicted, normalizedLive, { hideAnnotations: options.hideAnnotations });
    predicted = masked.target;
    normalizedLive = masked.live;
  }
  let patch: JsonValue | null;
  let changes: FieldChange[];
  if (predicted === null) {
    patch = null;
    changes = [];
  } else if (normalizedLive === null) {
    patch = asJson(predicted);
    changes = [{ pointer: '', op: 'add', after: asJson(predicted) }];
  } else if (!modified) {
    patch = {};
    changes = [];
  } else {
    patch = createMergePatch(asJson(normalizedLive), asJson(predicted));
    changes = computeChanges(asJson(normalizedLive), asJson(predicted));
  }
  return { modified, strategy, predictedLive: predicted, normalizedLive, patch, changes, warnings };
}

function hasIgnoreRules(options: DiffOptions): boolean {
  return (options.ignoreDifferences?.length ?? 0) > 0 || (options.fluxIgnore?.length ?? 0) > 0;
}

function predict(
  strategy: Exclude<DiffStrategy, 'auto'>,
  desired: KubeObject,
  last: KubeObject | undefined,
  live: KubeObject,
  dry: KubeObject | undefined,
  rawLive: KubeObject,
  group: string,
  options: DiffOptions,
): KubeObject {
  const kind = live.kind;
  if (strategy === 'server-side' && dry !== undefined) return dry;
  if (strategy === 'structured-merge') {
    const manager = options.manager ?? DEFAULT_MANAGER;
    const owned = ownedFields(rawLive, { managers: [manager], operation: 'Apply' });
    const applied = owned ? projectFields(asJson(live), owned) : undefined;
    // A field another manager also owns stays when we stop applying it: only sole ownership goes.
    const shared = ownedFields(rawLive, { managers: [manager], exclude: true });
    if (applied !== undefined && shared !== undefined) removeFields(applied, shared);
    const lists = { ...(owned ? listKeysOf(owned) : {}), ...(options.customListKeys ?? {}) };
    const schema = builtinListSchema(live.apiVersion, kind, 'ssa', lists);
    return mergeThreeWay(applied, asJson(desired), asJson(live), schema, {
      granular: true,
    }) as unknown as KubeObject;
  }
  // Custom resources merge as a JSON merge patch would: lists replace, unless declared keyed.
  const custom = options.customListKeys;
  const schema: ListSchema =
    hasBuiltinListSchema(live.apiVersion, kind) || (isBuiltinGroup(group) && !group.includes('.'))
      ? builtinListSchema(live.apiVersion, kind, 'smp', custom)
      : (path) => custom?.[path.join('.')];
  const base = strategy === 'three-way' && last !== undefined ? last : desired;
  return mergeThreeWay(asJson(base), asJson(desired), asJson(live), schema) as unknown as KubeObject;
}

function predictServerSide(
  answer: KubeObject,
  rawLive: KubeObject,
  options: DiffOptions,
  warnings: string[],
): KubeObject {
  let result: JsonValue | undefined = asJson(answer);
  if (options.ignoreMutationWebhook !== false) {
    const manager = options.manager ?? DEFAULT_MANAGER;
    const owned = ownedFields(answer, { managers: [manager] });
    if (owned === undefined) {
      warnings.push(
        `the dry-run answer has no managed fields of "${manager}"; webhook changes are not reset`,
      );
    } else {
      result = revertUnowned(
        asJson(answer),
        asJson(rawLive),
        owned,
        ownedFields(rawLive, { managers: [manager] }),
      );
    }
  }
  return normalizeObject(result as unknown as KubeObject, options);
}

/** Re-applies a result's patch to its normalised live object: equals `predictedLive` (a self-check for tests). */
export function replayPatch(result: DiffResult): JsonValue | null {
  if (result.patch === null) return null;
  // A missing live object is an empty target: RFC 7386 merges an object patch into `{}`.
  return applyMergePatch(result.normalizedLive === null ? null : asJson(result.normalizedLive), result.patch);
}
