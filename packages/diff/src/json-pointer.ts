import { isJsonObject, type JsonValue, ValidationError } from '@gitops-kit/core';

/** Splits an RFC 6901 JSON pointer (`/metadata/labels/app~1name`) into unescaped tokens. */
export function parseJsonPointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) {
    throw new ValidationError(`"${pointer}" is not a JSON pointer: it must start with "/"`, {
      path: pointer,
    });
  }
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Escapes one token for a JSON pointer. */
export function escapePointerToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Joins tokens into a JSON pointer. */
export function formatJsonPointer(tokens: readonly (string | number)[]): string {
  return tokens.map((t) => `/${escapePointerToken(t)}`).join('');
}

/** The value at `tokens` inside `root`, or `undefined` when the path does not exist. */
export function getAtPointer(root: unknown, tokens: readonly string[]): JsonValue | undefined {
  let node: unknown = root;
  for (const token of tokens) {
    if (Array.isArray(node)) {
      if (!/^(0|[1-9]\d*)$/.test(token)) return undefined;
      node = node[Number(token)];
    } else if (isJsonObject(node)) {
      if (!Object.hasOwn(node, token)) return undefined;
      node = node[token];
    } else {
      return undefined;
    }
    if (node === undefined) return undefined;
  }
  return node as JsonValue;
}

/**
 * Removes the value at `tokens` from `root` in place. A missing path is not an error: ignore rules
 * name fields that many objects lack. Returns true when something was removed.
 */
export function removeAtPointer(root: unknown, tokens: readonly string[]): boolean {
  if (tokens.length === 0) return false;
  const parent = getAtPointer(root, tokens.slice(0, -1));
  const last = tokens[tokens.length - 1] as string;
  if (Array.isArray(parent)) {
    if (!/^(0|[1-9]\d*)$/.test(last)) return false;
    const i = Number(last);
    if (i >= parent.length) return false;
    parent.splice(i, 1);
    return true;
  }
  if (isJsonObject(parent) && Object.hasOwn(parent, last)) {
    delete parent[last];
    return true;
  }
  return false;
}
