import { apiGroupOf, type KubeObject } from '@gitops-kit/core';
import {
  LUA_REGISTRYINDEX,
  LuaEngine,
  LuaEventMasks,
  LuaFactory,
  type LuaWasm,
  type LuaEngine as WasmoonEngine,
} from 'wasmoon';
import { GroupKindTable } from './group-kind-table.js';
import { type HealthStatus, isHealthStatusCode } from './health-status.js';
import { LuaConversionError, MAX_LUA_NESTING } from './lua-conversion.js';
import { LUA_SANDBOX_BOOTSTRAP } from './lua-sandbox.js';

/** A Lua health script with Argo CD's contract: `obj` in, `{ status, message }` out. */
export interface LuaHealthScript {
  /** The `group/Kind` key it applies to (`Kind` for the core group); globs allowed (`*.io/*`). */
  key: string;
  /** The Lua source. */
  source: string;
  /**
   * Whether the script gets the standard libraries (string, math, coroutine, os.time/date…).
   * Argo CD grants them to its built-in scripts and to overrides with `useOpenLibs`. Default
   * `false`, Argo CD's default for a custom check.
   */
  openLibs?: boolean;
  /**
   * `override` (the default): from the embedding program or argocd-cm, looked up first;
   * `builtin`: from a scripts directory, used when no override matches.
   */
  origin?: 'override' | 'builtin';
  /** Where the script came from (a file path or a ConfigMap key), for messages. */
  file?: string;
}

/** Options of {@link LuaHealthEngine.create}. */
export interface LuaHealthEngineOptions {
  /** Time limit of one check in milliseconds (default 1000, as Argo CD). */
  timeoutMs?: number;
  /** How many idle VMs to keep for reuse (default 2). */
  poolSize?: number;
}

/** Options of one {@link LuaHealthEngine.run} call. */
export interface LuaRunOptions {
  /** Time limit of this call in milliseconds (default: the engine's). */
  timeoutMs?: number;
}

// Instructions between two looks at the clock: rare enough to cost nothing on short scripts.
const HOOK_INSTRUCTION_COUNT = 10_000;

// lua_Integer arguments are BigInts; small ones (array indexes, counts) are made once.
const SMALL_BIGINTS = Array.from({ length: 1024 }, (_, i) => BigInt(i));

function bigint(n: number): bigint {
  return n >= 0 && n < 1024 ? (SMALL_BIGINTS[n] as bigint) : BigInt(n);
}

// Distinct field names kept in WASM memory per VM.
const MAX_CACHED_KEYS = 4096;

let sharedModule: Promise<LuaWasm> | undefined;

function luaModule(): Promise<LuaWasm> {
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

interface CompiledScript {
  id: number;
  script: LuaHealthScript;
}

/** One Lua state with the sandbox loaded and a clock hook installed. */
class LuaVm {
  private readonly engine: WasmoonEngine;
  private readonly L: number;
  private readonly hook: number;
  private readonly compiled = new Map<number, string | true>();
  private deadline = 0;
  private timedOut = false;
  private buffer = 0;
  private capacity = 0;
  // Field names recur across objects (status, type, message…): each is copied into WASM memory
  // once, as a C string, and set with lua_setfield, which saves encoding and a call per field.
  private readonly keyPointers = new Map<string, number>();
  private readonly raw: RawLuaApi;
  private readonly runnerRef: number;

  constructor(private readonly lua: LuaWasm) {
    this.engine = new LuaEngine(lua, { openStandardLibs: true, enableProxy: false, injectObjects: false });
    this.L = this.engine.global.address;
    this.raw = lua.module as unknown as RawLuaApi;
    this.engine.doStringSync(LUA_SANDBOX_BOOTSTRAP);
    lua.lua_getglobal(this.L, '__gk_run');
    this.runnerRef = lua.luaL_ref(this.L, LUA_REGISTRYINDEX);
    this.hook = lua.module.addFunction((state: number) => {
      if (this.deadline !== 0 && Date.now() > this.deadline) {
        this.timedOut = true;
        this.deadline = 0;
        lua.lua_pushstring(state, 'time limit exceeded');
        lua.lua_error(state);
      }
    }, 'vii');
    lua.lua_sethook(this.L, this.hook, LuaEventMasks.Count, HOOK_INSTRUCTION_COUNT);
  }

  /** Compiles a script into this VM once; the error message when it does not compile. */
  private ensureCompiled(entry: CompiledScript): string | true {
    const known = this.compiled.get(entry.id);
    if (known !== undefined) return known;
    const name = `=${entry.script.file ?? `${entry.script.key}/health.lua`}`;
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

  run(entry: CompiledScript, obj: unknown, timeoutMs: number): HealthStatus {
    const compiled = this.ensureCompiled(entry);
    if (compiled !== true) return { status: 'Unknown', message: compiled };
    const lua = this.lua;
    const raw = this.raw;
    const L = this.L;
    try {
      raw._lua_rawgeti(L, LUA_REGISTRYINDEX, BigInt(this.runnerRef));
      raw._lua_pushinteger(L, BigInt(entry.id));
      try {
        this.push(obj, 0);
      } catch (err) {
        if (err instanceof LuaConversionError) return { status: 'Unknown', message: err.message };
        throw err;
      }
      this.timedOut = false;
      this.deadline = Date.now() + timeoutMs;
      const rc = raw._lua_pcallk(L, 2, 3, 0, 0, 0);
      this.deadline = 0;
      if (rc !== 0) {
        if (this.timedOut) {
          return { status: 'Unknown', message: `Lua health check timed out after ${timeoutMs} ms` };
        }
        return { status: 'Unknown', message: lua.lua_tolstring(L, -1, 0) ?? 'Lua error' };
      }
      const kind = lua.lua_tolstring(L, -3, 0);
      const a = lua.lua_tolstring(L, -2, 0) ?? '';
      const b = lua.lua_tolstring(L, -1, 0) ?? '';
      if (kind === 'ok' && isHealthStatusCode(a)) return { status: a, message: b };
      return { status: 'Unknown', message: a };
    } finally {
      this.deadline = 0;
      raw._lua_settop(L, 0);
    }
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

/**
 * Runs Argo CD health scripts in a real Lua VM (Lua 5.4 compiled to WebAssembly, via wasmoon).
 * Each check runs with the object in the global `obj` and returns `{ status, message }`; an
 * invalid status becomes Unknown ("Lua returned an invalid health status"), an error or a run
 * over the time limit becomes Unknown with the error. Scripts cannot touch files, the network or
 * the process: `io`, `debug`, `package`, `load`, `dofile` and `loadfile` do not exist, `os`
 * offers only time and date, and `require` only yields that safe `os`.
 *
 * VMs are created once and reused, and each script is compiled once per VM; every call gets
 * fresh globals, so one run never sees what another left behind. Calls are synchronous.
 */
export class LuaHealthEngine {
  private readonly overrides = new GroupKindTable<CompiledScript>();
  private readonly builtins = new GroupKindTable<CompiledScript>();
  private readonly adHoc = new Map<string, CompiledScript>();
  private readonly idle: LuaVm[] = [];
  private nextId = 1;
  private closed = false;

  /** Time limit of one check, in milliseconds. */
  readonly timeoutMs: number;
  private readonly poolSize: number;

  private constructor(
    private readonly module: LuaWasm,
    options: LuaHealthEngineOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? 1000;
    this.poolSize = Math.max(1, options.poolSize ?? 2);
    this.idle.push(new LuaVm(module));
  }

  /** Loads the Lua VM (once per process) and returns an engine with one warm VM. */
  static async create(options: LuaHealthEngineOptions = {}): Promise<LuaHealthEngine> {
    return new LuaHealthEngine(await luaModule(), options);
  }

  /**
   * Adds scripts. Overrides are looked up before built-in scripts, and within each origin the
   * exact `group/Kind` key before globs (Argo CD's order). A script for a key already present
   * replaces it.
   */
  addScripts(scripts: Iterable<LuaHealthScript>): this {
    for (const script of scripts) {
      const table = script.origin === 'builtin' ? this.builtins : this.overrides;
      table.set(script.key, { id: this.nextId++, script });
    }
    return this;
  }

  /** The script Argo CD would pick for a group and kind, or undefined. */
  find(group: string, kind: string): LuaHealthScript | undefined {
    return this.lookup(group, kind)?.script;
  }

  private lookup(group: string, kind: string): CompiledScript | undefined {
    return this.overrides.find(group, kind) ?? this.builtins.find(group, kind);
  }

  /**
   * Runs the script registered for the object's group and kind — read from its `apiVersion` and
   * `kind` — and answers undefined when there is none.
   */
  assess(obj: KubeObject, options?: LuaRunOptions): HealthStatus | undefined;
  /** Runs the script registered for `group` and `kind` (which may differ from the object's) on `obj`. */
  assess(obj: KubeObject, group: string, kind: string, options?: LuaRunOptions): HealthStatus | undefined;
  assess(
    obj: KubeObject,
    groupOrOptions?: string | LuaRunOptions,
    kindArg?: string,
    runOptions: LuaRunOptions = {},
  ): HealthStatus | undefined {
    const explicit = typeof groupOrOptions === 'string';
    const group = explicit
      ? groupOrOptions
      : apiGroupOf(typeof obj?.apiVersion === 'string' ? obj.apiVersion : '');
    const kind = explicit ? (kindArg ?? '') : typeof obj?.kind === 'string' ? obj.kind : '';
    const options = explicit ? runOptions : (groupOrOptions ?? {});
    const entry = this.lookup(group, kind);
    return entry === undefined ? undefined : this.execute(entry, obj, options);
  }

  /**
   * Runs one script (a {@link LuaHealthScript} or Lua source, which gets the standard libraries)
   * on `obj`. Never throws: every failure is an Unknown status whose message says why.
   */
  run(script: LuaHealthScript | string, obj: unknown, options: LuaRunOptions = {}): HealthStatus {
    const source = typeof script === 'string' ? script : script.source;
    const cacheKey = typeof script === 'string' ? `s:${source}` : `${script.openLibs ? 'o' : 'r'}:${source}`;
    let entry = this.adHoc.get(cacheKey);
    if (entry === undefined) {
      if (this.adHoc.size >= 256) this.forgetAdHoc();
      entry = {
        id: this.nextId++,
        script:
          typeof script === 'string'
            ? { key: '*', source, openLibs: true, origin: 'override', file: 'script.lua' }
            : script,
      };
      this.adHoc.set(cacheKey, entry);
    }
    return this.execute(entry, obj, options);
  }

  private forgetAdHoc(): void {
    for (const entry of this.adHoc.values()) for (const vm of this.idle) vm.forget(entry.id);
    this.adHoc.clear();
  }

  private execute(entry: CompiledScript, obj: unknown, options: LuaRunOptions): HealthStatus {
    if (this.closed) return { status: 'Unknown', message: 'the Lua health engine is closed' };
    // A VM is busy only during a call; a nested call (a check that runs another check) gets its own.
    let vm: LuaVm | undefined;
    try {
      vm = this.idle.pop() ?? new LuaVm(this.module);
      const result = vm.run(entry, obj, options.timeoutMs ?? this.timeoutMs);
      if (this.idle.length < this.poolSize) this.idle.push(vm);
      else vm.close();
      return result;
    } catch (err) {
      // The VM may be left in any state: drop it rather than reuse it.
      try {
        vm?.close();
      } catch {
        // nothing more to free
      }
      return {
        status: 'Unknown',
        message: `Lua health check failed: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
  }

  /** Frees the VMs. Later calls report Unknown. */
  close(): void {
    this.closed = true;
    for (const vm of this.idle.splice(0)) vm.close();
  }
}
