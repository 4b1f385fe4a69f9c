import { GitOpsError } from '@gitops-kit/core';

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

/** The limits of one run of a script. */
export interface LuaLimits {
  /** Wall-clock limit in milliseconds. */
  timeoutMs: number;
  /** Lua VM instructions a run may execute (counted in steps of 10,000). */
  maxInstructions: number;
  /** Bytes a run may allocate in the Lua heap beyond what the VM held when it started. */
  maxMemoryBytes: number;
}

/**
 * Why a script did not give a health status: `syntax` (does not compile), `runtime` (raised an
 * error), `timeout`, `instructions` or `memory` (stopped at a limit), `result` (returned
 * something that is not `{ status, message }` with a valid status), `input` (the object cannot
 * be passed to Lua).
 */
export type LuaFailureKind =
  | 'syntax'
  | 'runtime'
  | 'timeout'
  | 'instructions'
  | 'memory'
  | 'result'
  | 'input';

/** The outcome of one run: a health status, or why there is none. */
export type LuaOutcome =
  | { ok: true; status: string; message: string }
  | { ok: false; kind: LuaFailureKind; message: string };

/** The chunk name a script is compiled under: its file, else `<key>/health.lua`. */
export function scriptName(script: LuaHealthScript): string {
  return script.file ?? `${script.key}/health.lua`;
}

// Lua prefixes an error raised at a known place with `<chunk name>:<line>:`.
function lineOf(name: string, message: string): { line: number | undefined; reason: string } {
  const prefix = `${name}:`;
  if (message.startsWith(prefix)) {
    const m = /^(\d+): ?/.exec(message.slice(prefix.length));
    if (m !== null) {
      return { line: Number(m[1]), reason: message.slice(prefix.length + m[0].length) };
    }
  }
  return { line: undefined, reason: message };
}

const ACTIONS: Record<LuaFailureKind, string> = {
  syntax: 'fix the script so that it compiles',
  runtime: 'guard the fields the script reads (they may be nil)',
  timeout: 'the script ran past its time limit: look for a loop that does not end',
  instructions: 'the script ran past its instruction budget: look for a loop that does not end',
  memory: 'the script allocated past its memory limit: look for a table or string that grows without end',
  result:
    'return a table { status = "Healthy"|"Progressing"|"Degraded"|"Suspended"|"Missing"|"Unknown", message = "…" }',
  input: 'the object cannot be passed to Lua',
};

/**
 * A Lua health script that did not compile, failed, ran past a limit or returned something
 * other than a health status. `code` is `HEALTH_CHECK_ERROR`; `file` is the script's file (or
 * ConfigMap key), `line` the line Lua reported where it did, `kind` what went wrong, `key` the
 * script's `group/Kind`.
 */
export class LuaScriptError extends GitOpsError {
  /** What went wrong. */
  readonly kind: LuaFailureKind;
  /** The `group/Kind` key of the script. */
  readonly key: string;

  constructor(script: LuaHealthScript, kind: LuaFailureKind, message: string) {
    const name = scriptName(script);
    const { line, reason } = lineOf(name, message);
    super('HEALTH_CHECK_ERROR', `${reason} (${ACTIONS[kind]})`, {
      file: name,
      line,
      details: { kind, key: script.key },
    });
    this.kind = kind;
    this.key = script.key;
  }
}
