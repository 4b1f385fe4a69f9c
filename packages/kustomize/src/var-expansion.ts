import type { JsonValue } from '@gitops-kit/core';
import { stringifyExact } from './plain-objects.js';

/**
 * Expands `$(NAME)` references in a string the way kustomize's vars do (Kubernetes' expansion
 * syntax): `$$` is a literal `$` (so `$$(NAME)` stays `$(NAME)`), a reference to an unknown name or
 * an unclosed `$(` stays as written, and a string that is exactly one reference takes the value
 * with its type (`$(REPLICAS)` → 3); elsewhere the value is written as text.
 */
export function expandVarReferences(
  input: string,
  lookup: (name: string) => JsonValue | undefined,
): JsonValue {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const next = input[cursor + 1];
    let advance = 1;
    if (next === '$') out += '$';
    else if (next === '(') {
      const close = input.indexOf(')', cursor + 2);
      if (close < 0) out += '$(';
      else {
        const name = input.slice(cursor + 2, close);
        const value = lookup(name);
        if (value !== undefined && input === `$(${name})`) return value;
        out += value === undefined ? `$(${name})` : textOf(value);
        advance = close - cursor;
      }
    } else out += `$${next}`;
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

// Go's fmt %v of a var's value inside a longer string.
function textOf(v: JsonValue): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return String(v);
  return stringifyExact(v);
}
