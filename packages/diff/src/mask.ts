import {
  apiGroupOf,
  deepCopyJson,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  type KubeObject,
} from '@gitops-kit/core';
import { foldSecretStringData, LAST_APPLIED_ANNOTATION } from './normalize.js';

/** The first mask: eight `+`; each further distinct value of the same key gets four more. */
const FIRST_MASK = '++++++++';
const MASK_STEP = '++++';

/** Options of {@link hideSecretData}. */
export interface HideSecretOptions {
  /** Annotation keys whose values are masked too (listing the last-applied annotation masks it whole). */
  hideAnnotations?: readonly string[] | null;
}

/** The masked copies {@link hideSecretData} returns. */
export interface HiddenSecrets {
  /** The desired object, masked (null when none was given). */
  target: KubeObject | null;
  /** The live object, masked, its last-applied annotation masked inside (null when none was given). */
  live: KubeObject | null;
}

/** True for a core-group Secret. */
export function isSecret(obj: KubeObject | null | undefined): boolean {
  return (
    obj != null &&
    // Stryker disable next-line ConditionalExpression: equivalent, the next test implies a string
    typeof obj.kind === 'string' &&
    obj.kind === 'Secret' &&
    // Stryker disable next-line StringLiteral: equivalent, '' and 'v1' are both the core group
    apiGroupOf(String(obj.apiVersion ?? 'v1')) === ''
  );
}

function prepare(obj: KubeObject): KubeObject {
  const copy = deepCopyJson(obj as unknown as JsonObject) as unknown as KubeObject;
  foldSecretStringData(copy);
  if (isJsonObject(copy.data) && Object.keys(copy.data).length === 0) delete copy.data;
  return copy;
}

// Masks one map field (data, or the hidden annotations) across the objects, in order, so equal
// values get equal masks and different values different ones.
function maskAcross(maps: (JsonObject | undefined)[], onlyKeys?: ReadonlySet<string>): void {
  const keys = new Set<string>();
  for (const m of maps) if (m) for (const k of Object.keys(m)) if (!onlyKeys || onlyKeys.has(k)) keys.add(k);
  for (const key of keys) {
    const masks = new Map<string, string>();
    let next = FIRST_MASK;
    for (const m of maps) {
      if (!m || !Object.hasOwn(m, key)) continue;
      const raw = m[key] as JsonValue;
      const text = raw === null ? '' : typeof raw === 'string' ? raw : JSON.stringify(raw);
      let mask = masks.get(text);
      if (mask === undefined) {
        mask = next;
        masks.set(text, mask);
        next += MASK_STEP;
      }
      m[key] = mask;
    }
  }
}

function sortedJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (isJsonObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${sortedJson(value[k] as JsonValue)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Masks Secret values with Argo CD's semantics: every `data` value (after `stringData` is folded in)
 * becomes a run of `+`, eight for the first distinct value of a key and four more for each further
 * one, in the order desired, live, live's last-applied configuration — so equal values look equal
 * and changes stay visible, without showing a value. Annotations listed in `hideAnnotations` are
 * masked the same way; the last-applied annotation is rewritten with its contents masked (or masked
 * whole when it is itself listed). Objects that are not Secrets come back unchanged. Returns copies.
 */
export function hideSecretData(
  target: KubeObject | null | undefined,
  live: KubeObject | null | undefined,
  options: HideSecretOptions = {},
): HiddenSecrets {
  if (!isSecret(target) && !isSecret(live)) {
    return {
      target: target ? (deepCopyJson(target as unknown as JsonObject) as unknown as KubeObject) : null,
      live: live ? (deepCopyJson(live as unknown as JsonObject) as unknown as KubeObject) : null,
    };
  }
  const t = target ? prepare(target) : null;
  const l = live ? prepare(live) : null;
  // Stryker disable next-line ArrayDeclaration: equivalent, a made-up entry names no valid annotation key
  const hidden = new Set(options.hideAnnotations ?? []);
  const hideLastAppliedWhole = hidden.has(LAST_APPLIED_ANNOTATION);
  let lastApplied: KubeObject | null = null;
  const annotation = l?.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
  if (typeof annotation === 'string' && !hideLastAppliedWhole) {
    try {
      const parsed = JSON.parse(annotation) as JsonValue;
      if (isJsonObject(parsed)) lastApplied = prepare(parsed as unknown as KubeObject);
    } catch {
      // Not JSON: it cannot be shown safely, so it is masked whole below.
    }
  }
  const objects = [t, l, lastApplied];
  maskAcross(objects.map((o) => (o && isJsonObject(o.data) ? o.data : undefined)));
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, an empty set masks no key (this only skips the walk)
  if (hidden.size > 0) {
    maskAcross(
      objects.map((o) =>
        o && isJsonObject(o.metadata?.annotations) ? (o.metadata.annotations as JsonObject) : undefined,
      ),
      hidden,
    );
  }
  const liveAnnotations = l?.metadata?.annotations;
  if (
    liveAnnotations &&
    typeof liveAnnotations[LAST_APPLIED_ANNOTATION] === 'string' &&
    !hideLastAppliedWhole
  ) {
    liveAnnotations[LAST_APPLIED_ANNOTATION] =
      lastApplied === null ? FIRST_MASK : sortedJson(lastApplied as unknown as JsonValue);
  }
  return { target: t, live: l };
}
