import { isJsonObject, type JsonValue } from '@gitops-kit/core';

/** A compiled selector: true when an object matches. */
export type Matcher = (obj: Record<string, unknown>) => boolean;

/** Thrown for a selector that does not parse; the server answers 400. */
export class SelectorSyntaxError extends Error {}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkValue(value: string, req: string): string {
  if (value.length > 63 || !LABEL_VALUE.test(value))
    throw new SelectorSyntaxError(`unable to parse requirement: "${req}": invalid label value: "${value}"`);
  return value;
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '') parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** Compiles a label selector (`a=b,c!=d,e in (x,y),f notin (z),g,!h`). */
export function compileLabelSelector(text: string | null | undefined): Matcher {
  if (!text) return () => true;
  const tests: Array<(labels: Record<string, string>) => boolean> = [];
  for (const req of splitTopLevel(text)) {
    let m = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(req);
    if (m) {
      const [, key, op, list] = m as unknown as [string, string, string, string];
      const values = new Set(
        list
          .split(',')
          .map((v) => v.trim())
          .filter((v) => v !== '')
          .map((v) => checkValue(v, req)),
      );
      tests.push(
        op === 'in'
          ? (l) => key in l && values.has(l[key] as string)
          : (l) => !(key in l) || !values.has(l[key] as string),
      );
      continue;
    }
    m = /^([^\s!=]+)\s*(==|=|!=)\s*([^\s]*)$/.exec(req);
    if (m) {
      const [, key, op, value] = m as unknown as [string, string, string, string];
      checkValue(value, req);
      tests.push(op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value);
      continue;
    }
    m = /^(!?)([A-Za-z0-9._\-/]+)$/.exec(req);
    if (m) {
      const [, not, key] = m as unknown as [string, string, string];
      tests.push(not ? (l) => !(key in l) : (l) => key in l);
      continue;
    }
    throw new SelectorSyntaxError(`unable to parse requirement: "${req}"`);
  }
  return (obj) => {
    const meta = obj.metadata as { labels?: Record<string, string> } | undefined;
    const labels = meta?.labels ?? {};
    return tests.every((t) => t(labels));
  };
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
  for (const req of splitTopLevel(text)) {
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

/** True when `labels` match a structured `LabelSelector` (`matchLabels` + `matchExpressions`). */
export function matchesLabelSelector(
  selector: JsonValue | undefined,
  labels: Record<string, string>,
): boolean {
  if (!isJsonObject(selector)) return false;
  const ml = isJsonObject(selector.matchLabels) ? selector.matchLabels : {};
  for (const [k, v] of Object.entries(ml)) if (labels[k] !== v) return false;
  const exprs = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  for (const e of exprs) {
    if (!isJsonObject(e)) continue;
    const key = String(e.key);
    const values = Array.isArray(e.values) ? e.values.map(String) : [];
    const has = key in labels;
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(labels[key] as string)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key] as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}
