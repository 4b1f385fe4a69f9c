import {
  deepCopyJson,
  isJsonObject,
  type JsonValue,
  jsonEqual,
  type KubeObject,
  PatchError,
} from '@gitops-kit/core';

/** One operation of a JSON patch (RFC 6902). */
export type JsonPatchOperation = {
  /** The operation. */
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  /** A JSON pointer (RFC 6901) to the target location. */
  path: string;
  /** The value of `add`, `replace` and `test`. */
  value?: JsonValue;
  /** The source pointer of `move` and `copy`. */
  from?: string;
};

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** Splits a JSON pointer (RFC 6901) into unescaped reference tokens. */
export function parseJsonPointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) {
    throw new PatchError(
      `invalid JSON pointer ${JSON.stringify(pointer)}: it must be empty or start with "/"`,
      {
        path: pointer,
      },
    );
  }
  return pointer
    .slice(1)
    .split('/')
    .map((t) => {
      if (/~[^01]|~$/.test(t)) {
        throw new PatchError(
          `invalid JSON pointer ${JSON.stringify(pointer)}: "~" must be followed by 0 or 1`,
          {
            path: pointer,
          },
        );
      }
      return t.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

/**
 * Applies a JSON patch (RFC 6902) with full validation: every operation is checked for shape, a
 * `remove`, `replace`, `move`, `copy` or `test` on a missing location and an `add` under a missing
 * parent are errors naming the operation and the path, and a failed `test` is a
 * `PATCH_TEST_FAILED` error. The patch applies all or nothing; the input is never mutated. A
 * `KubeObject` (typed or not) in is the same type out.
 */
export function applyJsonPatch(doc: JsonValue, ops: JsonPatchOperation[]): JsonValue;
export function applyJsonPatch<T extends KubeObject>(doc: T, ops: JsonPatchOperation[]): T;
export function applyJsonPatch(doc: JsonValue | KubeObject, ops: JsonPatchOperation[]): JsonValue {
  if (!Array.isArray(ops)) throw new PatchError('a JSON patch must be a list of operations');
  let root = deepCopyJson(doc as JsonValue);
  ops.forEach((raw, index) => {
    const op = validateOperation(raw, index);
    root = applyOne(root, op, index);
  });
  return root;
}

function validateOperation(raw: unknown, index: number): JsonPatchOperation {
  const where = `operation ${index}`;
  if (!isJsonObject(raw as JsonValue)) throw new PatchError(`${where} of the JSON patch is not an object`);
  const op = raw as Record<string, unknown>;
  if (typeof op.op !== 'string' || !OPS.has(op.op)) {
    throw new PatchError(
      `${where} has an unknown op ${JSON.stringify(op.op)}: expected one of ${[...OPS].join(', ')}`,
    );
  }
  if (typeof op.path !== 'string') throw new PatchError(`${where} (${op.op}) has no string "path"`);
  if ((op.op === 'add' || op.op === 'replace' || op.op === 'test') && !Object.hasOwn(op, 'value')) {
    throw new PatchError(`${where} (${op.op}) has no "value"`, { path: op.path });
  }
  if ((op.op === 'move' || op.op === 'copy') && typeof op.from !== 'string') {
    throw new PatchError(`${where} (${op.op}) has no string "from"`, { path: op.path });
  }
  return op as JsonPatchOperation;
}

function fail(op: JsonPatchOperation, index: number, reason: string, code?: 'PATCH_TEST_FAILED'): PatchError {
  return new PatchError(`JSON patch operation ${index} (${op.op} ${op.path}): ${reason}`, {
    path: op.path,
    details: { operation: index, op: op.op },
    ...(code !== undefined ? { code } : {}),
  });
}

function arrayIndex(token: string, length: number, allowEnd: boolean): number | undefined {
  if (allowEnd && token === '-') return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
  const i = Number(token);
  if (i > (allowEnd ? length : length - 1)) return undefined;
  return i;
}

/** The value at `tokens`, or undefined when there is none. */
function getAt(root: JsonValue, tokens: string[]): JsonValue | undefined {
  let cur: JsonValue | undefined = root;
  for (const t of tokens) {
    if (Array.isArray(cur)) {
      const i = arrayIndex(t, cur.length, false);
      if (i === undefined) return undefined;
      cur = cur[i];
    } else if (isJsonObject(cur)) {
      if (!Object.hasOwn(cur, t)) return undefined;
      cur = cur[t];
    } else {
      return undefined;
    }
  }
  return cur;
}

function addAt(
  root: JsonValue,
  tokens: string[],
  value: JsonValue,
  op: JsonPatchOperation,
  index: number,
): JsonValue {
  if (tokens.length === 0) return value;
  const parent = getAt(root, tokens.slice(0, -1));
  const last = tokens[tokens.length - 1] as string;
  if (Array.isArray(parent)) {
    const i = arrayIndex(last, parent.length, true);
    if (i === undefined)
      throw fail(op, index, `index ${JSON.stringify(last)} is out of bounds of a list of ${parent.length}`);
    parent.splice(i, 0, value);
  } else if (isJsonObject(parent)) {
    parent[last] = value;
  } else {
    throw fail(
      op,
      index,
      parent === undefined ? 'the parent location does not exist' : 'the parent is not an object or a list',
    );
  }
  return root;
}

function removeAt(
  root: JsonValue,
  tokens: string[],
  op: JsonPatchOperation,
  index: number,
  pointer: string,
): JsonValue {
  if (tokens.length === 0) throw fail(op, index, 'cannot remove the whole document');
  const parent = getAt(root, tokens.slice(0, -1));
  const last = tokens[tokens.length - 1] as string;
  if (Array.isArray(parent)) {
    const i = arrayIndex(last, parent.length, false);
    if (i === undefined) throw fail(op, index, `${pointer} does not exist`);
    parent.splice(i, 1);
  } else if (isJsonObject(parent) && Object.hasOwn(parent, last)) {
    delete parent[last];
  } else {
    throw fail(op, index, `${pointer} does not exist`);
  }
  return root;
}

function applyOne(root: JsonValue, op: JsonPatchOperation, index: number): JsonValue {
  const tokens = parseJsonPointer(op.path);
  switch (op.op) {
    case 'add':
      return addAt(root, tokens, deepCopyJson(op.value as JsonValue), op, index);
    case 'remove':
      return removeAt(root, tokens, op, index, op.path);
    case 'replace': {
      if (getAt(root, tokens) === undefined) throw fail(op, index, `${op.path} does not exist`);
      if (tokens.length === 0) return deepCopyJson(op.value as JsonValue);
      const next = removeAt(root, tokens, op, index, op.path);
      return addAt(next, tokens, deepCopyJson(op.value as JsonValue), op, index);
    }
    case 'test': {
      const actual = getAt(root, tokens);
      if (actual === undefined) throw fail(op, index, `${op.path} does not exist`, 'PATCH_TEST_FAILED');
      if (!jsonEqual(actual, op.value))
        throw fail(op, index, 'the value does not match', 'PATCH_TEST_FAILED');
      return root;
    }
    case 'move':
    case 'copy': {
      const from = op.from as string;
      const fromTokens = parseJsonPointer(from);
      const value = getAt(root, fromTokens);
      if (value === undefined) throw fail(op, index, `from location ${from} does not exist`);
      if (op.op === 'copy') return addAt(root, tokens, deepCopyJson(value), op, index);
      if (op.path === from) return root;
      if (op.path.startsWith(`${from}/`))
        throw fail(op, index, `cannot move ${from} into one of its own children`);
      const next = removeAt(root, fromTokens, op, index, from);
      return addAt(next, tokens, value, op, index);
    }
  }
}
