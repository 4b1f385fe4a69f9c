// Limits of passing an object to Lua. The conversion itself follows Argo CD's (JSON → gopher-lua):
// objects and arrays become tables (an empty object and an empty array both become an empty
// table), null becomes nil, integers stay integers so `tostring` prints `3`, not `3.0`.

/** Nesting deeper than this is refused before it reaches Lua. */
export const MAX_LUA_NESTING = 150;

/** An object that cannot be passed to Lua (too deep, or cyclic). */
export class LuaConversionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LuaConversionError';
  }
}
