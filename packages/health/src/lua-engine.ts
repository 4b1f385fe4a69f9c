import { apiGroupOf, type KubeObject } from '@gitops-kit/core';
import type { LuaWasm } from 'wasmoon';
import { GroupKindTable } from './group-kind-table.js';
import { type HealthStatus, isHealthStatusCode } from './health-status.js';
import {
  type LuaHealthScript,
  type LuaLimits,
  type LuaOutcome,
  LuaScriptError,
  scriptName,
} from './lua-script.js';
import { type CompiledScript, LuaVm, luaModule } from './lua-vm.js';

export type { LuaHealthScript } from './lua-script.js';

/** Default instruction budget of one check: far beyond any health script, a stop for a runaway one. */
export const DEFAULT_LUA_MAX_INSTRUCTIONS = 100_000_000;

/** Default memory limit of one check: what a run may allocate beyond what its VM already held. */
export const DEFAULT_LUA_MAX_MEMORY_BYTES = 64 * 1024 * 1024;

/** Options of {@link LuaHealthEngine.create}. */
export interface LuaHealthEngineOptions {
  /** Time limit of one check in milliseconds (default 1000, as Argo CD). */
  timeoutMs?: number;
  /** Lua VM instructions one check may execute (default {@link DEFAULT_LUA_MAX_INSTRUCTIONS}). */
  maxInstructions?: number;
  /** Bytes one check may allocate in the Lua heap (default {@link DEFAULT_LUA_MAX_MEMORY_BYTES}). */
  maxMemoryBytes?: number;
  /** How many idle VMs to keep for reuse (default 2). */
  poolSize?: number;
}

/** Options of one {@link LuaHealthEngine.run} call: limits of this call (default: the engine's). */
export interface LuaRunOptions {
  /** Time limit of this call in milliseconds. */
  timeoutMs?: number;
  /** Instruction budget of this call. */
  maxInstructions?: number;
  /** Memory limit of this call, in bytes. */
  maxMemoryBytes?: number;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`LuaHealthEngine: ${name} must be a positive number, got ${value}`);
  }
  return value;
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
  /** Instruction budget of one check. */
  readonly maxInstructions: number;
  /** Memory limit of one check, in bytes. */
  readonly maxMemoryBytes: number;
  private readonly poolSize: number;

  private constructor(
    private readonly module: LuaWasm,
    options: LuaHealthEngineOptions,
  ) {
    this.timeoutMs = positive(options.timeoutMs, 1000, 'timeoutMs');
    this.maxInstructions = positive(options.maxInstructions, DEFAULT_LUA_MAX_INSTRUCTIONS, 'maxInstructions');
    this.maxMemoryBytes = positive(options.maxMemoryBytes, DEFAULT_LUA_MAX_MEMORY_BYTES, 'maxMemoryBytes');
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
    const entry = this.adHocEntry(
      typeof script === 'string'
        ? { key: '*', source: script, openLibs: true, origin: 'override', file: 'script.lua' }
        : script,
    );
    return this.execute(entry, obj, options);
  }

  private adHocEntry(script: LuaHealthScript): CompiledScript {
    const cacheKey = `${script.openLibs ? 'o' : 'r'}:${script.file ?? ''}:${script.key}:${script.source}`;
    let entry = this.adHoc.get(cacheKey);
    if (entry === undefined) {
      if (this.adHoc.size >= 256) this.forgetAdHoc();
      entry = { id: this.nextId++, script };
      this.adHoc.set(cacheKey, entry);
    }
    return entry;
  }

  private forgetAdHoc(): void {
    for (const entry of this.adHoc.values()) for (const vm of this.idle) vm.forget(entry.id);
    this.adHoc.clear();
  }

  private limits(options: LuaRunOptions): LuaLimits {
    return {
      timeoutMs: positive(options.timeoutMs, this.timeoutMs, 'timeoutMs'),
      maxInstructions: positive(options.maxInstructions, this.maxInstructions, 'maxInstructions'),
      maxMemoryBytes: positive(options.maxMemoryBytes, this.maxMemoryBytes, 'maxMemoryBytes'),
    };
  }

  private execute(entry: CompiledScript, obj: unknown, options: LuaRunOptions): HealthStatus {
    const outcome = this.outcome(entry, obj, options);
    if (outcome.ok && isHealthStatusCode(outcome.status)) {
      return { status: outcome.status, message: outcome.message };
    }
    return { status: 'Unknown', message: outcome.message };
  }

  private outcome(entry: CompiledScript, obj: unknown, options: LuaRunOptions): LuaOutcome {
    if (this.closed) return { ok: false, kind: 'runtime', message: 'the Lua health engine is closed' };
    const limits = this.limits(options);
    // A VM is busy only during a call; a nested call (a check that runs another check) gets its own.
    let vm: LuaVm | undefined;
    try {
      vm = this.idle.pop() ?? new LuaVm(this.module);
      const result = vm.run(entry, obj, limits);
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
        ok: false,
        kind: 'runtime',
        message: `Lua health check failed: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
  }

  /**
   * Runs one script on `obj` like `run`, but throws a {@link LuaScriptError} (with the
   * script's file and the line Lua reported) where `run` would answer Unknown: the script does
   * not compile, raises an error, runs past a limit or returns something other than a valid
   * `{ status, message }`. For testing scripts, as `argocd admin settings resource-overrides
   * health` does.
   */
  runStrict(script: LuaHealthScript, obj: unknown, options: LuaRunOptions = {}): HealthStatus {
    const entry = this.adHocEntry(script);
    const outcome = this.outcome(entry, obj, options);
    if (!outcome.ok) throw new LuaScriptError(entry.script, outcome.kind, outcome.message);
    if (!isHealthStatusCode(outcome.status)) {
      throw new LuaScriptError(entry.script, 'result', 'Lua returned an invalid health status');
    }
    return { status: outcome.status, message: outcome.message };
  }

  /**
   * Compiles each script without running it; one {@link LuaScriptError} (file, line) per script
   * that does not compile. Use it to refuse a bad ConfigMap or directory before it is applied.
   */
  validate(scripts: Iterable<LuaHealthScript>): LuaScriptError[] {
    const errors: LuaScriptError[] = [];
    for (const script of scripts) {
      // `return` right away: the chunk is compiled, never run (a chunk must compile as a whole).
      const outcome = this.outcome(
        this.adHocEntry({ ...script, source: `do return end\n${script.source}` }),
        {},
        {},
      );
      if (!outcome.ok && outcome.kind === 'syntax') {
        errors.push(new LuaScriptError(script, 'syntax', shiftLine(script, outcome.message)));
      }
    }
    return errors;
  }

  /** Frees the VMs. Later calls report Unknown. */
  close(): void {
    this.closed = true;
    for (const vm of this.idle.splice(0)) vm.close();
  }
}

// validate() compiles the script behind one extra line; Lua's line numbers are shifted back.
function shiftLine(script: LuaHealthScript, message: string): string {
  const prefix = `${scriptName(script)}:`;
  if (!message.startsWith(prefix)) return message;
  return (
    message.slice(0, prefix.length) +
    message.slice(prefix.length).replace(/^(\d+)/, (n) => String(Number(n) - 1))
  );
}
