import { type ErrorLocation, ValidationError } from './errors.js';

/**
 * The operator of one {@link LabelRequirement}, named as Kubernetes' `selection.Operator` names them
 * (`In`, `NotIn`, `Exists` and `DoesNotExist` are also the operators of `matchExpressions`).
 */
export type LabelSelectorOperator =
  | 'Equals'
  | 'NotEquals'
  | 'In'
  | 'NotIn'
  | 'Exists'
  | 'DoesNotExist'
  | 'GreaterThan'
  | 'LessThan';

/** One parsed requirement of a label selector: a key, an operator and the values it compares with. */
export interface LabelRequirement {
  /** The label key (a qualified name: optional DNS-subdomain prefix, `/`, name). */
  readonly key: string;
  /** How the label's value is tested. */
  readonly operator: LabelSelectorOperator;
  /** The values: one for Equals/NotEquals/GreaterThan/LessThan, one or more for In/NotIn, none otherwise. */
  readonly values: readonly string[];
}

/** One entry of a LabelSelector object's `matchExpressions`. */
export interface LabelSelectorExpression {
  /** The label key. */
  key: string;
  /** `In`, `NotIn`, `Exists` or `DoesNotExist`. */
  operator: string;
  /** Values for In/NotIn; must be empty for Exists/DoesNotExist. */
  values?: readonly string[] | null;
}

/** A Kubernetes `LabelSelector` object (`{matchLabels, matchExpressions}`); every requirement must hold. */
export interface LabelSelector {
  /** Each key must have exactly this value. */
  matchLabels?: Readonly<Record<string, string>> | null;
  /** Set-based requirements. */
  matchExpressions?: readonly LabelSelectorExpression[] | null;
}

/** Where a selector came from, reported on a {@link ValidationError}; `path` defaults to `labelSelector`. */
export type LabelSelectorLocation = ErrorLocation;

const NAME_PART = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(?:(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const INTEGER = /^[+-]?\d+$/;

function fail(message: string, where: LabelSelectorLocation | undefined): never {
  throw new ValidationError(message, { path: 'labelSelector', ...where });
}

/** Why `key` is not a label key (Kubernetes' IsQualifiedName), or undefined when it is one. */
function keyProblem(key: string): string | undefined {
  const slash = key.split('/');
  if (slash.length > 2) return 'a qualified name has at most one "/"';
  const name = slash.length === 2 ? (slash[1] as string) : key;
  if (slash.length === 2) {
    const prefix = slash[0] as string;
    if (prefix === '') return 'the prefix part must be non-empty';
    if (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)) return 'the prefix part must be a DNS subdomain';
  }
  if (name === '') return 'the name part must be non-empty';
  if (name.length > 63) return 'the name part must be no more than 63 characters';
  if (!NAME_PART.test(name))
    return 'the name part must consist of alphanumerics, "-", "_" or ".", starting and ending with an alphanumeric';
  return undefined;
}

/** Builds one requirement, validated as Kubernetes' `labels.NewRequirement` validates it. */
function requirement(
  key: string,
  operator: LabelSelectorOperator,
  values: readonly string[],
  where: LabelSelectorLocation | undefined,
): LabelRequirement {
  const bad = keyProblem(key);
  if (bad !== undefined) fail(`invalid label key "${key}": ${bad}`, where);
  switch (operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0)
        fail(`for 'in', 'notin' operators, values set can't be empty (key "${key}")`, where);
      break;
    case 'Equals':
    case 'NotEquals':
    case 'GreaterThan':
    case 'LessThan':
      if (values.length !== 1)
        fail(`exact-match compatibility requires one single value (key "${key}")`, where);
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length !== 0)
        fail(`values set must be empty for exists and does not exist (key "${key}")`, where);
      break;
  }
  for (const v of values) {
    if (operator === 'GreaterThan' || operator === 'LessThan') {
      if (!INTEGER.test(v))
        fail(`for 'Gt', 'Lt' operators, the value must be an integer (key "${key}")`, where);
    } else if (v.length > 63 || !LABEL_VALUE.test(v)) {
      fail(`invalid label value "${v}" for key "${key}"`, where);
    }
  }
  return Object.freeze({ key, operator, values: Object.freeze([...values]) });
}

type Token =
  | { kind: 'id'; text: string }
  | { kind: '!' | '!=' | '=' | '==' | '(' | ')' | ',' | '>' | '<'; text: string };

// The characters that end an identifier, as in Kubernetes' selector lexer.
const SPECIAL = new Set(['!', '=', '(', ')', ',', '>', '<']);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (SPECIAL.has(c)) {
      const two = text.slice(i, i + 2);
      if (two === '!=' || two === '==') {
        tokens.push({ kind: two, text: two });
        i += 2;
      } else {
        tokens.push({ kind: c as '!', text: c });
        i++;
      }
      continue;
    }
    let j = i;
    while (j < text.length && !SPECIAL.has(text[j] as string) && !/\s/.test(text[j] as string)) j++;
    tokens.push({ kind: 'id', text: text.slice(i, j) });
    i = j;
  }
  return tokens;
}

function parseUncached(text: string, where: LabelSelectorLocation | undefined): LabelRequirement[] {
  const tokens = tokenize(text);
  const reqs: LabelRequirement[] = [];
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const bad = (what: string): never => fail(`unable to parse label selector "${text}": ${what}`, where);
  const want = (kind: Token['kind'], what: string): Token => {
    const t = tokens[pos];
    if (t === undefined || t.kind !== kind)
      bad(`${what}, found ${t === undefined ? 'end of string' : `"${t.text}"`}`);
    pos++;
    return t as Token;
  };
  while (pos < tokens.length) {
    let negated = false;
    if (peek()?.kind === '!') {
      negated = true;
      pos++;
    }
    const key = want('id', 'expected a label key').text;
    const next = peek();
    if (negated) {
      if (next !== undefined && next.kind !== ',') bad(`"!${key}" takes no operator`);
      reqs.push(requirement(key, 'DoesNotExist', [], where));
    } else if (next === undefined || next.kind === ',') {
      reqs.push(requirement(key, 'Exists', [], where));
    } else if (next.kind === 'id' && (next.text === 'in' || next.text === 'notin')) {
      pos++;
      want('(', `expected "(" after "${next.text}"`);
      const values: string[] = [];
      // `in ()` and `in (a,)` hold the empty value, as Kubernetes reads them.
      let current = '';
      for (;;) {
        const t = tokens[pos++];
        if (t === undefined) bad('expected ")"');
        const tok = t as Token;
        if (tok.kind === ')') {
          values.push(current);
          break;
        }
        if (tok.kind === ',') {
          values.push(current);
          current = '';
        } else if (tok.kind === 'id' && current === '') current = tok.text;
        else bad(`unexpected "${tok.text}" in a value list`);
      }
      reqs.push(requirement(key, next.text === 'in' ? 'In' : 'NotIn', values, where));
    } else if (next.kind === '=' || next.kind === '==' || next.kind === '!=') {
      pos++;
      const v = peek();
      let value = '';
      if (v?.kind === 'id') {
        value = v.text;
        pos++;
      } else if (v !== undefined && v.kind !== ',') bad(`unexpected "${v.text}" after "${next.text}"`);
      reqs.push(requirement(key, next.kind === '!=' ? 'NotEquals' : 'Equals', [value], where));
    } else if (next.kind === '>' || next.kind === '<') {
      pos++;
      const value = want('id', `expected an integer after "${next.text}"`).text;
      reqs.push(requirement(key, next.kind === '>' ? 'GreaterThan' : 'LessThan', [value], where));
    } else {
      bad(`unexpected "${next.text}" after key "${key}"`);
    }
    if (pos < tokens.length) {
      want(',', 'expected ","');
      if (pos >= tokens.length) bad('a "," must be followed by a requirement');
    }
  }
  return reqs;
}

const cache = new Map<string, readonly LabelRequirement[]>();
const CACHE_LIMIT = 512;

/**
 * Parses a Kubernetes label selector string (`app=web,tier in (a,b),env!=prod,!legacy,track`, also
 * `==`, `notin`, and the integer comparisons `>`/`<`), validating keys and values as the API server
 * does. The empty string selects everything. Throws a {@link ValidationError} (code
 * `VALIDATION_ERROR`, path `labelSelector` unless `where` says otherwise) on a selector that does not parse.
 */
export function parseLabelSelector(text: string, where?: LabelSelectorLocation): readonly LabelRequirement[] {
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const parsed = Object.freeze(parseUncached(text, where));
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(text, parsed);
  return parsed;
}

const EXPRESSION_OPERATORS: Record<string, LabelSelectorOperator> = {
  In: 'In',
  NotIn: 'NotIn',
  Exists: 'Exists',
  DoesNotExist: 'DoesNotExist',
};

/**
 * The requirements of a `LabelSelector` object: each `matchLabels` entry as Equals, then each
 * `matchExpressions` entry. Throws a {@link ValidationError} on an unknown operator or a bad key/value.
 */
export function labelSelectorRequirements(
  selector: LabelSelector,
  where?: LabelSelectorLocation,
): readonly LabelRequirement[] {
  const reqs: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    reqs.push(requirement(key, 'Equals', [String(value)], where));
  }
  for (const expr of selector.matchExpressions ?? []) {
    const op = EXPRESSION_OPERATORS[expr.operator];
    if (op === undefined) fail(`"${expr.operator}" is not a valid label selector operator`, where);
    reqs.push(requirement(expr.key, op as LabelSelectorOperator, expr.values ?? [], where));
  }
  return reqs;
}

function holds(req: LabelRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, req.key);
  const value = has ? labels[req.key] : undefined;
  switch (req.operator) {
    case 'Equals':
      return has && value === req.values[0];
    case 'NotEquals':
      return !has || value !== req.values[0];
    case 'In':
      return has && req.values.includes(value as string);
    case 'NotIn':
      return !has || !req.values.includes(value as string);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'GreaterThan':
    case 'LessThan': {
      if (!has || !INTEGER.test(String(value))) return false;
      const n = Number(value);
      const bound = Number(req.values[0]);
      return req.operator === 'GreaterThan' ? n > bound : n < bound;
    }
  }
}

/**
 * True when `labels` satisfy the selector: a selector string (see {@link parseLabelSelector}), a
 * `LabelSelector` object, or requirements already parsed. Every requirement must hold; an empty
 * selector matches everything. Throws a {@link ValidationError} on a selector that does not parse.
 */
export function matchesLabelSelector(
  selector: string | LabelSelector | readonly LabelRequirement[],
  labels: Readonly<Record<string, string>> | null | undefined,
  where?: LabelSelectorLocation,
): boolean {
  const reqs =
    typeof selector === 'string'
      ? parseLabelSelector(selector, where)
      : Array.isArray(selector)
        ? (selector as readonly LabelRequirement[])
        : labelSelectorRequirements(selector as LabelSelector, where);
  const map = labels ?? {};
  return reqs.every((r) => holds(r, map));
}
