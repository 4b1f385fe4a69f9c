import { ValidationError } from './errors.js';
import { matchesLabelSelector } from './label-selector.js';

/**
 * A resource selector in the shape kustomize's patch and replacement targets and Flux's
 * `target` fields share: each field set narrows the match; `name` and `namespace` are regular
 * expressions anchored at both ends; the selectors use Kubernetes' label selector syntax.
 */
export interface TargetSelector {
  /** API group. What an empty group means depends on {@link TargetSelectorOptions.emptyGroup}. */
  group?: string;
  /** API version without the group; empty or absent: any. */
  version?: string;
  /** Kind; empty or absent: any. */
  kind?: string;
  /** Anchored regular expression over the name; empty or absent: any. */
  name?: string;
  /** Anchored regular expression over the namespace; empty or absent: any. */
  namespace?: string;
  /** Label selector (`app=web,tier in (a,b),!legacy`). */
  labelSelector?: string;
  /** Label selector syntax, applied to the annotations. */
  annotationSelector?: string;
}

/** What a {@link TargetSelector} is matched against: an object's identity and metadata. */
export interface TargetSubject {
  /** API group (`''` for the core group). */
  group: string;
  /** API version without the group. */
  version: string;
  /** Kind. */
  kind: string;
  /** Name. */
  name: string;
  /** Namespace as the caller counts it (kustomize reads an unset one as `default` in places). */
  namespace: string;
  /** Labels; absent: none. */
  labels?: Readonly<Record<string, string>> | undefined;
  /** Annotations; absent: none. */
  annotations?: Readonly<Record<string, string>> | undefined;
}

/** How a {@link TargetSelector} is read where its users differ. */
export interface TargetSelectorOptions {
  /**
   * What `group: ''` selects. kustomize reads an empty group as unset (`any`); Flux compares it
   * with the object's group, so it selects the core group only (`core`). Default `any`.
   */
  emptyGroup?: 'any' | 'core';
  /**
   * The field path errors name, before the field (`target` gives `target.name`); `''` names the
   * field alone. Default `target`.
   */
  path?: string;
}

// Bounded: selectors come from user input, and a long render sees each pattern many times.
const PATTERN_CACHE_LIMIT = 1024;
const patternCache = new Map<string, RegExp>();

function anchoredRegExp(pattern: string, path: string): RegExp {
  const cached = patternCache.get(pattern);
  if (cached !== undefined) return cached;
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${pattern})$`);
  } catch (cause) {
    throw new ValidationError(`"${pattern}" is not a regular expression`, { path, cause });
  }
  if (patternCache.size >= PATTERN_CACHE_LIMIT) patternCache.clear();
  patternCache.set(pattern, re);
  return re;
}

/**
 * True when `value` matches `pattern` as a whole (the pattern is anchored at both ends, as
 * kustomize and Flux anchor name and namespace patterns); an empty or absent pattern matches
 * anything. A pattern that is not a regular expression is a `ValidationError` naming `path`.
 */
export function matchesAnchoredPattern(pattern: string | undefined, value: string, path = 'target'): boolean {
  if (pattern === undefined || pattern === '') return true;
  return anchoredRegExp(pattern, path).test(value);
}

/**
 * True when `selector` selects `subject`. Label and annotation selectors are parsed and validated
 * as the API server would (a `ValidationError` otherwise).
 */
export function matchesTargetSelector(
  selector: TargetSelector,
  subject: TargetSubject,
  options: TargetSelectorOptions = {},
): boolean {
  const prefix = options.path ?? 'target';
  const at = (field: string) => (prefix === '' ? field : `${prefix}.${field}`);
  const group = selector.group;
  if (group !== undefined && (group !== '' || options.emptyGroup === 'core') && group !== subject.group)
    return false;
  if (selector.version && selector.version !== subject.version) return false;
  if (selector.kind && selector.kind !== subject.kind) return false;
  if (!matchesAnchoredPattern(selector.name, subject.name, at('name'))) return false;
  if (!matchesAnchoredPattern(selector.namespace, subject.namespace, at('namespace'))) return false;
  if (
    selector.labelSelector &&
    !matchesLabelSelector(selector.labelSelector, subject.labels ?? {}, { path: at('labelSelector') })
  )
    return false;
  if (
    selector.annotationSelector &&
    !matchesLabelSelector(selector.annotationSelector, subject.annotations ?? {}, {
      path: at('annotationSelector'),
    })
  )
    return false;
  return true;
}
