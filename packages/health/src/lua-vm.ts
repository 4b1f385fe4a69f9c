import {
  LUA_REGISTRYINDEX,
  LuaEngine,
  LuaEventMasks,
  LuaFactory,
  type LuaWasm,
  type LuaEngine as WasmoonEngine,
} from 'wasmoon';
import { LuaConversionError, MAX_LUA_NESTING } from './lua-conversion.js';
import { LUA_SANDBOX_BOOTSTRAP } from './lua-sandbox.js';
import { type LuaHealthScript, type LuaLimits, type LuaOutcome, scriptName } from './lua-script.js';

// Instructions between two looks at the clock and the budget: rare enough to cost nothing on
// short scripts.
const HOOK_INSTRUCTION_COUNT = 10_000;

// lua_pcall's status for a refused allocation.
const LUA_ERRMEM = 4;

// lua_Integer arguments are BigInts; small ones (array indexes, counts) are made once.
const SMALL_BIGINTS = Array.from({ length: 1024 }, (_, i) => BigInt(i));

function bigint(n: number): bigint {
  return n >= 0 && n < 1024 ? (SMALL_BIGINTS[n] as bigint) : BigInt(n);
}

// Distinct field names kept in WASM memory per VM.
const MAX_CACHED_KEYS = 4096;

let sharedModule: Promise<LuaWasm> | undefined;

/** The Lua WebAssembly module, loaded once per process. */
export function luaModule(): Promise<LuaWasm> {
  sharedModule ??= new LuaFactory().getLuaModule();
  return sharedModule;
}

// The C API as exported by the WebAssembly module. Calling the exports directly skips wasmoon's
// per-call argument conversion, which dominates the cost of building a table field by field.
// lua_Integer is 64-bit, so integer arguments are BigInts.
interface RawLuaApi {
  _lua_pushlstring(L: number, s: number, len: number): number;
  _lua_pushinteger(L: number, n: bigint): void;
  _lua_pushnumber(L: number, n: number): void;
  _lua_pushboolean(L: number, b: number): void;
  _lua_pushnil(L: number): void;
  _lua_createtable(L: number, narr: number, nrec: number): void;
  _lua_rawset(L: number, idx: number): void;
  _lua_setfield(L: number, idx: number, k: number): void;
  _lua_pushstring(L: number, s: number): number;
  _lua_rawseti(L: number, idx: number, n: bigint): void;
  _lua_rawgeti(L: number, idx: number, n: bigint): number;
  _lua_checkstack(L: number, n: number): number;
  _lua_pcallk(L: number, nargs: number, nresults: number, msgh: number, ctx: number, k: number): number;
  _lua_settop(L: number, idx: number): void;
}

/** A script with the id it is compiled under in every VM. */
export interface CompiledScript {
  id: number;
  script: LuaHealthScript;
}

/** One Lua state with the sandbox loaded and a limit hook installed. */
export class LuaVm {
  private readonly engine: WasmoonEngine;
  private readonly L: number;
  private readonly hook: number;
  private readonly compiled = new Map<number, string | true>();
  // While a run is under way: its deadline (0 otherwise), the hook calls its instruction budget
  // has left, and which limit stopped it. Once stopped, every hook call raises the stop error
  // again, and the sandbox's pcall, xpcall and coroutine.resume pass it on, so a script cannot
  // catch its way past a limit.
  private deadline = 0;
  private hookCallsLeft = 0;
  private stopped: 'timeout' | 'instructions' | undefined;
  private readonly stopRef: number;
  private readonly flagsRef: number;
  private buffer = 0;
  private capacity = 0;
  // Field names recur across objects (status, type, message…): each is copied into WASM memory
  // once, as a C string, and set with lua_setfield, which saves encoding and a call per field.
  private readonly keyPointers = new Map<string, number>();
  private readonly raw: RawLuaApi;
  private readonly runnerRef: number;

  constructor(private readonly lua: LuaWasm) {
    this.engine = new LuaEngine(lua, {
      openStandardLibs: true,
      enableProxy: false,
      injectObjects: false,
      traceAllocations: true,
    });
    this.L = this.engine.global.address;
    this.raw = lua.module as unknown as RawLuaApi;
    this.engine.doStringSync(LUA_SANDBOX_BOOTSTRAP);
    lua.lua_getglobal(this.L, '__gk_run');
    this.runnerRef = lua.luaL_ref(this.L, LUA_REGISTRYINDEX);
    lua.lua_getglobal(this.L, '__gk_stop');
    this.stopRef = lua.luaL_ref(this.L, LUA_REGISTRYINDEX);
    lua.lua_getglobal(this.L, '__gk_flags');
    this.flagsRef = lua.luaL_ref(this.L, LUA_REGISTRYINDEX);
    const stoppedKey = this.keyPointer('stopped');
    this.hook = lua.module.addFunction((state: number) => {
      if (this.deadline === 0) return;
      if (this.stopped === undefined) {
        this.hookCallsLeft--;
        if (this.hookCallsLeft < 0) this.stopped = 'instructions';
        else if (Date.now() > this.deadline) this.stopped = 'timeout';
        else return;
        // FLAGS.stopped = true; the key exists, so this allocates nothing.
        this.raw._lua_rawgeti(state, LUA_REGISTRYINDEX, BigInt(this.flagsRef));
        this.raw._lua_pushboolean(state, 1);
        this.raw._lua_setfield(state, -2, stoppedKey);
        this.raw._lua_settop(state, -2);
      }
      this.raw._lua_rawgeti(state, LUA_REGISTRYINDEX, BigInt(this.stopRef));
      lua.lua_error(state);
    }, 'vii');
    lua.lua_sethook(this.L, this.hook, LuaEventMasks.Count, HOOK_INSTRUCTION_COUNT);
  }

  /** Compiles a script into this VM once; the error message when it does not compile. */
  private ensureCompiled(entry: CompiledScript): string | true {
    const known = this.compiled.get(entry.id);
    if (known !== undefined) return known;
    const name = `=${scriptName(entry.script)}`;
    const global = this.engine.global;
    global.set('__gk_src', entry.script.source);
    global.set('__gk_name', name);
    let outcome: string | true;
    try {
      this.engine.doStringSync(
        `local ok, err = __gk_compile(${entry.id}, __gk_src, __gk_name, ${entry.script.openLibs === true}); __gk_src = nil; __gk_name = nil; if not ok then error(err, 0) end`,
      );
      outcome = true;
    } catch (err) {
      outcome = err instanceof Error ? err.message : String(err);
      this.lua.lua_settop(this.L, 0);
    }
    this.compiled.set(entry.id, outcome);
    return outcome;
  }

  private ensureBuffer(bytes: number): void {
    if (bytes <= this.capacity) return;
    const module = this.lua.module;
    if (this.buffer !== 0) module._free(this.buffer);
    this.capacity = Math.max(bytes, this.capacity * 2, 4096);
    this.buffer = module._malloc(this.capacity);
  }

  private keyPointer(key: string): number {
    const known = this.keyPointers.get(key);
    if (known !== undefined) return known;
    // Only short names without NUL are worth keeping; the cache is bounded.
    if (key.length > 64 || key.includes('\u0000') || this.keyPointers.size >= MAX_CACHED_KEYS) return 0;
    const module = this.lua.module;
    const size = module.lengthBytesUTF8(key) + 1;
    const pointer = module._malloc(size);
    module.stringToUTF8(key, pointer, size);
    this.keyPointers.set(key, pointer);
    return pointer;
  }

  private pushString(s: string): void {
    const raw = this.raw;
    // UTF-8 needs at most 3 bytes per UTF-16 unit.
    this.ensureBuffer(s.length * 3 + 1);
    // Emscripten's stringToUTF8 returns the number of bytes written (its typings say void).
    const write = this.lua.module.stringToUTF8 as unknown as (s: string, ptr: number, max: number) => number;
    raw._lua_pushlstring(this.L, this.buffer, write(s, this.buffer, this.capacity));
  }

  // Builds the Lua value of a JSON value on the stack with the raw C API (no parser, no
  // protected call): objects and arrays become tables, null becomes nil, integers stay integers.
  // A cyclic object is caught by the nesting limit, so there is no visited set to maintain.
  private push(value: unknown, depth: number): void {
    const raw = this.raw;
    const L = this.L;
    switch (typeof value) {
      case 'string':
        this.pushString(value);
        return;
      case 'number':
        if (Number.isSafeInteger(value)) raw._lua_pushinteger(L, bigint(value));
        else raw._lua_pushnumber(L, value);
        return;
      case 'boolean':
        raw._lua_pushboolean(L, value ? 1 : 0);
        return;
      case 'object': {
        if (value === null) break;
        if (depth >= MAX_LUA_NESTING) {
          throw new LuaConversionError(
            `object is nested deeper than ${MAX_LUA_NESTING} levels (or contains a cycle)`,
          );
        }
        if (raw._lua_checkstack(L, 4) === 0) {
          throw new LuaConversionError('object is too large for the Lua stack');
        }
        if (Array.isArray(value)) {
          raw._lua_createtable(L, value.length, 0);
          for (let i = 0; i < value.length; i++) {
            const item = value[i];
            if (item === null || item === undefined) continue;
            this.push(item, depth + 1);
            raw._lua_rawseti(L, -2, bigint(i + 1));
          }
        } else {
          raw._lua_createtable(L, 0, 0);
          const obj = value as Record<string, unknown>;
          for (const key in obj) {
            if (!Object.hasOwn(obj, key)) continue;
            const v = obj[key];
            if (
              v === null ||
              v === undefined ||
              typeof v === 'function' ||
              typeof v === 'symbol' ||
              typeof v === 'bigint'
            ) {
              continue;
            }
            const keyPointer = this.keyPointer(key);
            if (keyPointer !== 0) {
              this.push(v, depth + 1);
              raw._lua_setfield(L, -2, keyPointer);
            } else {
              this.pushString(key);
              this.push(v, depth + 1);
              raw._lua_rawset(L, -3);
            }
          }
        }
        return;
      }
    }
    raw._lua_pushnil(L);
  }

  /** Runs a compiled script on `obj` within `limits`. */
  run(entry: CompiledScript, obj: unknown, limits: LuaLimits): LuaOutcome {
    const compiled = this.ensureCompiled(entry);
    if (compiled !== true) return { ok: false, kind: 'syntax', message: compiled };
    const raw = this.raw;
    const L = this.L;
    const global = this.engine.global;
    try {
      raw._lua_rawgeti(L, LUA_REGISTRYINDEX, BigInt(this.runnerRef));
      raw._lua_pushinteger(L, BigInt(entry.id));
      try {
        this.push(obj, 0);
      } catch (err) {
        if (err instanceof LuaConversionError) return { ok: false, kind: 'input', message: err.message };
        throw err;
      }
      this.stopped = undefined;
      this.hookCallsLeft = Math.ceil(limits.maxInstructions / HOOK_INSTRUCTION_COUNT);
      // Only the run itself is limited: building the object above happens outside a protected
      // call, where a refused allocation would abort the VM.
      global.setMemoryMax(global.getMemoryUsed() + limits.maxMemoryBytes);
      this.deadline = Date.now() + limits.timeoutMs;
      const rc = raw._lua_pcallk(L, 2, 3, 0, 0, 0);
      this.deadline = 0;
      global.setMemoryMax(undefined);
      return this.outcome(rc, limits);
    } finally {
      this.deadline = 0;
      global.setMemoryMax(undefined);
      raw._lua_settop(L, 0);
    }
  }

  private outcome(rc: number, limits: LuaLimits): LuaOutcome {
    const lua = this.lua;
    const L = this.L;
    if (rc !== 0) {
      if (this.stopped === 'timeout') {
        return {
          ok: false,
          kind: 'timeout',
          message: `Lua health check timed out after ${limits.timeoutMs} ms`,
        };
      }
      if (this.stopped === 'instructions') {
        return {
          ok: false,
          kind: 'instructions',
          message: `Lua health check ran past its budget of ${limits.maxInstructions} instructions`,
        };
      }
      if (rc === LUA_ERRMEM) {
        return {
          ok: false,
          kind: 'memory',
          message: `Lua health check ran past its memory limit of ${limits.maxMemoryBytes} bytes`,
        };
      }
      return { ok: false, kind: 'runtime', message: lua.lua_tolstring(L, -1, 0) ?? 'Lua error' };
    }
    const kind = lua.lua_tolstring(L, -3, 0);
    const a = lua.lua_tolstring(L, -2, 0) ?? '';
    const b = lua.lua_tolstring(L, -1, 0) ?? '';
    if (kind === 'ok') return { ok: true, status: a, message: b };
    return { ok: false, kind: 'result', message: a };
  }

  forget(id: number): void {
    if (this.compiled.delete(id)) {
      this.engine.doStringSync(`__gk_forget(${id})`);
    }
  }

  close(): void {
    this.lua.lua_sethook(this.L, 0, 0, 0);
    this.lua.module.removeFunction(this.hook);
    if (this.buffer !== 0) this.lua.module._free(this.buffer);
    this.buffer = 0;
    for (const pointer of this.keyPointers.values()) this.lua.module._free(pointer);
    this.keyPointers.clear();
    this.engine.global.close();
  }
}
