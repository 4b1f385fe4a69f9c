import {
  matchesLabelSelector as coreMatches,
  isJsonObject,
  type JsonValue,
  type LabelRequirement,
  type LabelSelector,
  labelSelectorRequirements,
  parseLabelSelector,
} from '@gitops-kit/core';
import type { FieldCause } from './validation.js';

/** A compiled selector: true when an object matches. */
export type Matcher = (obj: Record<string, unknown>) => boolean;

/** Thrown for a selector that does not parse; the server answers 400. */
export class SelectorSyntaxError extends Error {}

/**
 * Compiles a label selector (`a=b,c!=d,e in (x,y),f notin (z),g,!h`, also `>`/`<`) with the parser of
 * @gitops-kit/core. A selector that does not parse throws {@link SelectorSyntaxError} worded as
 * kube-apiserver words it (`unable to parse requirement: …` for a bad key or value).
 */
export function compileLabelSelector(text: string | null | undefined): Matcher {
  if (!text) return () => true;
  let reqs: readonly LabelRequirement[];
  try {
    reqs = parseLabelSelector(text);
  } catch (err) {
    const message = (err as { reason?: string }).reason ?? (err as Error).message;
    throw new SelectorSyntaxError(
      message.startsWith('unable to parse') ? message : `unable to parse requirement: ${message}`,
    );
  }
  return (obj) => {
    const meta = obj.metadata as { labels?: Record<string, string> } | undefined;
    return coreMatches(reqs, meta?.labels);
  };
}

function splitRequirements(text: string): string[] {
  return text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

function fieldValue(obj: JsonValue, path: string): string {
  let cur: JsonValue | undefined = obj;
  for (const p of path.split('.')) {
    if (!isJsonObject(cur)) return '';
    cur = cur[p];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
}

/** Compiles a field selector (`metadata.name=x,status.phase!=Running`). */
export function compileFieldSelector(text: string | null | undefined): Matcher {
  if (!text) return () => true;
  const tests: Matcher[] = [];
  for (const req of splitRequirements(text)) {
    const m = /^([A-Za-z0-9._]+)\s*(==|=|!=)\s*(.*)$/.exec(req);
    if (!m) throw new SelectorSyntaxError(`invalid field selector: "${req}"`);
    const [, path, op, value] = m as unknown as [string, string, string, string];
    tests.push(
      op === '!='
        ? (o) => fieldValue(o as JsonValue, path) !== value
        : (o) => fieldValue(o as JsonValue, path) === value,
    );
  }
  return (obj) => tests.every((t) => t(obj));
}

/**
 * True when `labels` match a structured `LabelSelector` (`matchLabels` + `matchExpressions`); a
 * missing selector, or one the server would have rejected, matches nothing.
 */
export function matchesLabelSelector(
  selector: JsonValue | undefined,
  labels: Record<string, string>,
): boolean {
  if (!isJsonObject(selector)) return false;
  try {
    return coreMatches(selector as unknown as LabelSelector, labels);
  } catch {
    return false;
  }
}

/**
 * Why a `LabelSelector` object in a written object is invalid, as kube-apiserver's validation reports
 * it (`ValidateLabelSelector`): unknown operators, values required or forbidden by the operator,
 * bad label keys and values. `path` is the selector's field path (`spec.selector`).
 */
export function labelSelectorCauses(selector: JsonValue, path: string): FieldCause[] {
  const causes: FieldCause[] = [];
  if (!isJsonObject(selector)) return causes;
  const exprs = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  for (const [i, e] of exprs.entries()) {
    if (!isJsonObject(e)) continue;
    const at = `${path}.matchExpressions[${i}]`;
    const values = Array.isArray(e.values) ? e.values : [];
    const op = e.operator;
    if (op === 'In' || op === 'NotIn') {
      if (values.length === 0)
        causes.push({
          reason: 'FieldValueRequired',
          message: "Required value: must be specified when `operator` is 'In' or 'NotIn'",
          field: `${at}.values`,
        });
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length > 0)
        causes.push({
          reason: 'FieldValueForbidden',
          message: "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
          field: `${at}.values`,
        });
    } else {
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(op ?? '')}: not a valid selector operator`,
        field: `${at}.operator`,
      });
    }
  }
  if (causes.length > 0) return causes;
  // Keys and values: core's validation (the same rules as labels.NewRequirement).
  try {
    labelSelectorRequirements(selector as unknown as LabelSelector);
  } catch (err) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${(err as { reason?: string }).reason ?? (err as Error).message}`,
      field: path,
    });
  }
  return causes;
}
