import { createMemFileSystem, type KubeObject } from '@gitops-kit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assessHealth,
  HealthCheckRegistry,
  LuaHealthEngine,
  type LuaHealthScript,
  loadLuaHealthChecksFromDir,
  luaHealthChecksFromConfigMap,
} from '../src/index.js';

let engine: LuaHealthEngine;
beforeAll(async () => {
  engine = await LuaHealthEngine.create({ timeoutMs: 200 });
});
afterAll(() => engine.close());

const widget = {
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name: 'w', annotations: {} },
  spec: { replicas: 3, ratio: 0.5, tags: [], labels: {}, gone: null },
  status: { phase: 'Ready', conditions: [{ type: 'Ready', status: 'True', message: 'all good' }] },
} as unknown as KubeObject;

const script = (source: string, extra: Partial<LuaHealthScript> = {}): LuaHealthScript => ({
  key: 'example.com/Widget',
  source,
  openLibs: true,
  origin: 'override',
  ...extra,
});

describe('Lua health scripts: Argo CD contract', () => {
  it('returns the status and message the script builds from obj', () => {
    const h = engine.run(
      `hs = {}
       for i, c in ipairs(obj.status.conditions) do
         if c.type == "Ready" and c.status == "True" then hs.status = "Healthy"; hs.message = c.message; return hs end
       end
       hs.status = "Progressing"; hs.message = "waiting"; return hs`,
      widget,
    );
    expect(h).toEqual({ status: 'Healthy', message: 'all good' });
  });

  it('turns an invalid status into Unknown', () => {
    expect(engine.run('return { status = "Fine", message = "x" }', widget)).toEqual({
      status: 'Unknown',
      message: 'Lua returned an invalid health status',
    });
    expect(engine.run('return { message = "no status" }', widget).status).toBe('Unknown');
  });

  it('reports a script error as Unknown with the error', () => {
    const h = engine.run('local x = obj.status.missing.field\nreturn { status = "Healthy" }', widget);
    expect(h.status).toBe('Unknown');
    expect(h.message).toMatch(/:1: attempt to index a nil value/);
    expect(engine.run('error("custom failure")', widget).message).toContain('custom failure');
    expect(engine.run('return { status = ', widget).status).toBe('Unknown');
  });

  it('rejects non-table results the way Argo CD does', () => {
    expect(engine.run('return "Healthy"', widget).message).toBe(
      'expect table output from Lua script, not string',
    );
    expect(engine.run('local x = 1', widget).message).toBe('expect table output from Lua script, not nil');
    expect(engine.run('return {}', widget).message).toBe(
      'json: cannot unmarshal array into Go value of type health.HealthStatus',
    );
  });

  it('stops an infinite loop at the time limit and stays usable', () => {
    const h = engine.run('while true do end', widget, { timeoutMs: 50 });
    expect(h.status).toBe('Unknown');
    expect(h.message).toContain('timed out');
    const co = engine.run('local f = coroutine.wrap(function() while true do end end) f()', widget, {
      timeoutMs: 50,
    });
    expect(co.message).toContain('timed out');
    expect(engine.run('return { status = "Healthy" }', widget).status).toBe('Healthy');
  });

  it('refuses file, process and module access', () => {
    for (const src of [
      'local f = io.open("/etc/passwd") return { status = "Healthy" }',
      'os.execute("touch /tmp/pwned") return { status = "Healthy" }',
      'os.remove("/tmp/x") return { status = "Healthy" }',
      'local m = require("io") return { status = "Healthy" }',
      'dofile("/etc/passwd") return { status = "Healthy" }',
      'loadfile("/etc/passwd") return { status = "Healthy" }',
      'load("return 1") return { status = "Healthy" }',
      'debug.getinfo(1) return { status = "Healthy" }',
    ]) {
      const h = engine.run(src, widget);
      expect(h.status, src).toBe('Unknown');
    }
  });

  it('grants the standard libraries to open-libs scripts and only base, table and require("os") otherwise', () => {
    const src = `local os = require("os")
      return { status = "Healthy", message = tostring(os.time() > 0) .. type(string) .. type(math) }`;
    expect(engine.run(script(src, { openLibs: true }), widget)).toEqual({
      status: 'Healthy',
      message: 'truetabletable',
    });
    expect(engine.run(script(src, { openLibs: false }), widget)).toEqual({
      status: 'Healthy',
      message: 'truenilnil',
    });
  });

  it('converts objects faithfully: integers, floats, empty objects and arrays, nulls', () => {
    const src = `return { status = "Healthy", message = table.concat({
      tostring(obj.spec.replicas), tostring(obj.spec.ratio), tostring(#obj.spec.tags),
      tostring(next(obj.spec.labels)), tostring(obj.spec.gone), obj.metadata.name }, ",") }`;
    expect(engine.run(src, widget).message).toBe('3,0.5,0,nil,nil,w');
    const tricky = {
      ...widget,
      metadata: { name: 'quote " back \\ nl \n tab \t ü' },
    } as unknown as KubeObject;
    expect(engine.run('return { status = "Healthy", message = obj.metadata.name }', tricky).message).toBe(
      'quote " back \\ nl \n tab \t ü',
    );
  });

  it('gives every run fresh globals', () => {
    const src =
      'if leaked ~= nil then return { status = "Degraded", message = "leak" } end leaked = 1 return { status = "Healthy" }';
    expect(engine.run(src, widget).status).toBe('Healthy');
    expect(engine.run(src, widget).status).toBe('Healthy');
  });
});

describe('Lua script lookup', () => {
  it('loads Argo CD layout directories with wildcard group and kind directories', async () => {
    const { fs } = createMemFileSystem({
      '/rc/example.com/Widget/health.lua': 'return { status = "Healthy", message = "exact" }',
      '/rc/_.example.com/_/health.lua': 'return { status = "Progressing", message = "wildcard" }',
      '/rc/example.com/Widget/testdata/x.yaml': 'ignored: true',
      '/rc/Pod/testdata/pod.yaml': 'ignored: true',
    });
    const scripts = await loadLuaHealthChecksFromDir(fs, '/rc');
    expect(scripts.map((s) => s.key).sort()).toEqual(['*.example.com/*', 'example.com/Widget']);
    const e = await LuaHealthEngine.create();
    try {
      e.addScripts(scripts);
      expect(e.assess(widget, 'example.com', 'Widget')?.message).toBe('exact');
      expect(e.assess(widget, 'sub.example.com', 'Gadget')?.message).toBe('wildcard');
      expect(e.assess(widget, 'other.io', 'Gadget')).toBeUndefined();
    } finally {
      e.close();
    }
  });

  it('reads argocd-cm keys, with useOpenLibs, and lets overrides win over built-in scripts', async () => {
    const overrides = luaHealthChecksFromConfigMap({
      'resource.customizations.health.example.com_Widget':
        'return { status = "Degraded", message = type(string) }',
      'resource.customizations.useOpenLibs.example.com_Widget': 'true',
      'resource.customizations.health.ConfigMap': 'return { status = "Healthy", message = type(string) }',
      'resource.customizations.ignoreDifferences.apps_Deployment': 'jsonPointers: []',
      'unrelated.key': 'x',
    });
    expect(overrides.map((s) => [s.key, s.openLibs])).toEqual([
      ['example.com/Widget', true],
      ['ConfigMap', false],
    ]);
    const e = await LuaHealthEngine.create();
    try {
      e.addScripts([script('return { status = "Healthy", message = "builtin" }', { origin: 'builtin' })]);
      expect(e.assess(widget, 'example.com', 'Widget')?.message).toBe('builtin');
      e.addScripts(overrides);
      expect(e.assess(widget, 'example.com', 'Widget')).toEqual({ status: 'Degraded', message: 'table' });
      const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } } as KubeObject;
      expect(assessHealth(cm, { lua: e })).toEqual({ status: 'Healthy', message: 'nil' });
    } finally {
      e.close();
    }
    expect(() => luaHealthChecksFromConfigMap({ 'resource.customizations.health.a_b_c': 'x' })).toThrow(
      /group kind/,
    );
  });

  it('reads the legacy resource.customizations map, where split keys win', () => {
    const legacy = [
      'example.com/Widget:',
      '  health.lua: |',
      '    return { status = "Healthy", message = "legacy" }',
      '  health.lua.useOpenLibs: true',
      '"*.example.org/*":',
      '  health.lua: return { status = "Progressing" }',
      'apps/Deployment:',
      '  ignoreDifferences: "jsonPointers: []"',
    ].join('\n');
    const scripts = luaHealthChecksFromConfigMap({ 'resource.customizations': legacy });
    expect(scripts.map((x) => [x.key, x.openLibs])).toEqual([
      ['example.com/Widget', true],
      ['*.example.org/*', false],
    ]);
    const both = luaHealthChecksFromConfigMap({
      'resource.customizations': legacy,
      'resource.customizations.health.example.com_Widget': 'return { status = "Degraded" }',
    });
    expect(both.find((x) => x.key === 'example.com/Widget')?.source).toContain('Degraded');
    expect(() => luaHealthChecksFromConfigMap({ 'resource.customizations': 'a: [' })).toThrow();
  });

  it('applies checks in Argo CD order: TypeScript checks, Lua overrides, built-in scripts, built-in rules', async () => {
    const e = await LuaHealthEngine.create();
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { restartPolicy: 'Always' },
      status: { phase: 'Pending' },
    } as KubeObject;
    try {
      expect(assessHealth(pod, { lua: e })?.status).toBe('Progressing');
      e.addScripts([
        {
          key: 'Pod',
          source: 'return { status = "Suspended", message = "lua" }',
          openLibs: true,
          origin: 'builtin',
        },
      ]);
      expect(assessHealth(pod, { lua: e })).toEqual({ status: 'Suspended', message: 'lua' });
      const checks = new HealthCheckRegistry().register('Pod', () => ({ status: 'Healthy', message: 'ts' }));
      expect(assessHealth(pod, { lua: e, checks })).toEqual({ status: 'Healthy', message: 'ts' });
      const passing = new HealthCheckRegistry().register('*', () => undefined);
      expect(assessHealth(pod, { lua: e, checks: passing })?.message).toBe('lua');
    } finally {
      e.close();
    }
  });
});
