// Objects reach Lua as the source of a table constructor, compiled by Lua's own parser in one
// call: far fewer crossings of the JS/WASM boundary than building the table field by field.
// The conversion follows Argo CD's (JSON → gopher-lua): objects and arrays become tables (an
// empty object and an empty array both become an empty table), null becomes nil, numbers keep
// their value (integers stay integers so `tostring` prints `3`, not `3.0`).

/** Nesting deeper than this is refused before it reaches Lua's parser. */
export const MAX_LUA_NESTING = 150;

/** An object that cannot be passed to Lua (too deep, or cyclic). */
export class LuaConversionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LuaConversionError';
  }
}

const NEEDS_ESCAPE = /[\u0000-\u001f"\\\u007f]/;

function luaString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code === 0x22) out += '\\"';
    else if (code === 0x5c) out += '\\\\';
    else if (code < 0x20 || code === 0x7f) out += `\\${code.toString().padStart(3, '0')}`;
    else out += s[i];
  }
  return `${out}"`;
}

function luaNumber(n: number): string {
  if (Number.isNaN(n)) return '(0/0)';
  if (n === Number.POSITIVE_INFINITY) return '(1/0)';
  if (n === Number.NEGATIVE_INFINITY) return '(-1/0)';
  if (Number.isInteger(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER) return Object.is(n, -0) ? '0' : String(n);
  // A float (or an integer too large for Lua's 64-bit integers to hold exactly): keep it a float.
  const s = String(n);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

function append(value: unknown, depth: number, seen: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return luaString(value);
    case 'number':
      return luaNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'nil';
      if (depth >= MAX_LUA_NESTING) throw new LuaConversionError(`object is nested deeper than ${MAX_LUA_NESTING} levels`);
      if (seen.has(value)) throw new LuaConversionError('object contains a cycle');
      seen.add(value);
      let out = '{';
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          out += append(value[i], depth + 1, seen);
        }
      } else {
        let first = true;
        for (const key in value) {
          if (!Object.hasOwn(value, key)) continue;
          const v = (value as Record<string, unknown>)[key];
          if (v === null || v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
          if (!first) out += ',';
          first = false;
          out += `[${luaString(key)}]=${append(v, depth + 1, seen)}`;
        }
      }
      seen.delete(value);
      return `${out}}`;
    }
    default:
      return 'nil';
  }
}

/** The Lua source of a table constructor that rebuilds `value` (a JSON value). */
export function toLuaLiteral(value: unknown): string {
  return append(value, 0, new Set());
}
