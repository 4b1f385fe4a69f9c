import { createMemFileSystem, GitOpsError } from '@gitops-kit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LuaHealthEngine,
  type LuaHealthScript,
  LuaScriptError,
  loadLuaHealthChecksFromDir,
  luaHealthChecksFromConfigMap,
} from '../src/index.js';

// Limits are exercised with the instruction budget and the memory limit, which do not depend on
// the machine's speed; the time limit is a generous backstop here.
let engine: LuaHealthEngine;
beforeAll(async () => {
  engine = await LuaHealthEngine.create({ timeoutMs: 30_000, maxInstructions: 2_000_000 });
});
afterAll(() => engine.close());

const widget = {
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name: 'w' },
  status: { ready: 3 },
};

const script = (source: string, extra: Partial<LuaHealthScript> = {}): LuaHealthScript => ({
  key: 'example.com/Widget',
  source,
  openLibs: true,
  file: 'resource_customizations/example.com/Widget/health.lua',
  ...extra,
});

function expectUsable(): void {
  expect(engine.run('return { status = "Healthy", message = "still here" }', widget)).toEqual({
    status: 'Healthy',
    message: 'still here',
  });
}

describe('Lua limits', () => {
  it('stops an endless loop at the instruction budget', () => {
    expect(engine.run('while true do end', widget)).toEqual({
      status: 'Unknown',
      message: 'Lua health check ran past its budget of 2000000 instructions',
    });
    expectUsable();
  });

  it('a script cannot catch its way past a limit with pcall, xpcall or coroutine.resume', () => {
    const escapes = [
      'for i = 1, 1000 do pcall(function() while true do end end) end',
      'for i = 1, 1000 do xpcall(function() while true do end end, function(e) return e end) end',
      // An error inside a message handler becomes "error in error handling", not the stop.
      'for i = 1, 1000 do xpcall(error, function() while true do end end) end',
      'for i = 1, 1000 do coroutine.resume(coroutine.create(function() while true do end end)) end',
      'for i = 1, 1000 do pcall(coroutine.wrap(function() while true do end end)) end',
    ];
    for (const body of escapes) {
      const h = engine.run(`${body}\nreturn { status = "Healthy", message = "escaped" }`, widget);
      expect(h, body).toEqual({
        status: 'Unknown',
        message: 'Lua health check ran past its budget of 2000000 instructions',
      });
    }
    expectUsable();
  });

  it('lets pcall catch ordinary errors', () => {
    const src = `local ok, err = pcall(function() error("boom", 0) end)
      return { status = ok and "Degraded" or "Healthy", message = err }`;
    expect(engine.run(src, widget)).toEqual({ status: 'Healthy', message: 'boom' });
  });

  it('stops a run that allocates past the memory limit', () => {
    for (const src of [
      'local t = {} for i = 1, 1e7 do t[i] = "entry " .. i end return { status = "Healthy" }',
      'local s = "x" for i = 1, 40 do s = s .. s end return { status = "Healthy" }',
      'local t = {} for i = 1, 1e7 do t[i] = {} end return { status = "Healthy" }',
    ]) {
      expect(engine.run(src, widget, { maxMemoryBytes: 1024 * 1024 }), src).toEqual({
        status: 'Unknown',
        message: 'Lua health check ran past its memory limit of 1048576 bytes',
      });
    }
    expectUsable();
  });

  it('refuses limits that are not positive numbers', async () => {
    await expect(LuaHealthEngine.create({ maxMemoryBytes: 0 })).rejects.toThrow(/maxMemoryBytes/);
    expect(() => engine.run('return {}', widget, { maxInstructions: Number.NaN })).toThrow(/maxInstructions/);
  });
});

describe('LuaScriptError: typed errors with the script file and line', () => {
  const file = 'resource_customizations/example.com/Widget/health.lua';

  function strictError(source: string, extra: Partial<LuaHealthScript> = {}, maxMemoryBytes?: number) {
    try {
      engine.runStrict(script(source, extra), widget, maxMemoryBytes ? { maxMemoryBytes } : {});
    } catch (err) {
      expect(err).toBeInstanceOf(LuaScriptError);
      expect(err).toBeInstanceOf(GitOpsError);
      return err as LuaScriptError;
    }
    throw new Error('runStrict did not throw');
  }

  it('a runtime error names the file and the line', () => {
    const err = strictError('local hs = {}\nlocal n = obj.status.missing.count\nreturn hs');
    expect(err.code).toBe('HEALTH_CHECK_ERROR');
    expect(err.kind).toBe('runtime');
    expect(err.file).toBe(file);
    expect(err.line).toBe(2);
    expect(err.key).toBe('example.com/Widget');
    expect(err.message).toMatch(new RegExp(`^${file}:2: attempt to index a nil value`));
    expect(err.toJSON()).toMatchObject({ code: 'HEALTH_CHECK_ERROR', file, line: 2 });
  });

  it('a syntax error names the file and the line', () => {
    const err = strictError('local hs = {}\n\nif obj.status then\nreturn hs');
    expect(err.kind).toBe('syntax');
    expect(err.line).toBe(4);
    expect(err.reason).toMatch(/'end' expected/);
  });

  it('a bad result, an invalid status and a limit are errors too', () => {
    expect(strictError('return "Healthy"').kind).toBe('result');
    const invalid = strictError('return { status = "Fine" }');
    expect(invalid.kind).toBe('result');
    expect(invalid.reason).toMatch(/^Lua returned an invalid health status/);
    expect(invalid.line).toBeUndefined();
    expect(strictError('while true do end').kind).toBe('instructions');
    expect(strictError('local t = {} for i = 1, 1e7 do t[i] = {} end', {}, 65536).kind).toBe('memory');
  });

  it('a good script answers its status', () => {
    expect(engine.runStrict(script('return { status = "Suspended", message = "paused" }'), widget)).toEqual({
      status: 'Suspended',
      message: 'paused',
    });
  });

  it('validate() compiles without running and reports each bad script by file and line', async () => {
    const fromConfigMap = luaHealthChecksFromConfigMap({
      'resource.customizations.health.example.com_Widget': 'return { status = "Healthy" }',
      'resource.customizations.health.example.com_Gadget': 'hs = {}\nhs.status = = "Healthy"\nreturn hs',
    });
    const { fs } = createMemFileSystem({
      '/rc/example.com/Gizmo/health.lua': '-- comment\nwhile true do end\nreturn {',
      '/rc/example.com/Widget/health.lua': 'while true do end',
    });
    const fromDir = await loadLuaHealthChecksFromDir(fs, '/rc');
    const errors = engine.validate([...fromConfigMap, ...fromDir]);
    expect(errors.map((e) => [e.file, e.line, e.kind])).toEqual([
      ['resource.customizations.health.example.com_Gadget', 2, 'syntax'],
      ['/rc/example.com/Gizmo/health.lua', 3, 'syntax'],
    ]);
    expect(errors[0]?.message).toMatch(/^resource\.customizations\.health\.example\.com_Gadget:2: /);
  });
});
