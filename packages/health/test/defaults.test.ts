import type { KubeObject } from '@gitops-kit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateHealth, assessHealth, LuaHealthEngine } from '../src/index.js';

// What an embedding program may leave out: what a script, an object or a resource already says.

const widget = {
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name: 'w', namespace: 'prod' },
  status: { ready: false },
} as KubeObject;

let engine: LuaHealthEngine;
beforeAll(async () => {
  engine = await LuaHealthEngine.create();
});
afterAll(() => engine.close());

describe('a LuaHealthScript needs only its key and source', () => {
  it('is an override without the standard libraries, as an Argo CD custom check', () => {
    engine.addScripts([
      { key: 'example.com/Widget', source: 'return { status = "Progressing", message = type(string) }' },
    ]);
    expect(engine.find('example.com', 'Widget')?.source).toContain('Progressing');
    // No openLibs: `string` is not there, as in Argo CD without useOpenLibs.
    expect(engine.assess(widget)).toEqual({ status: 'Progressing', message: 'nil' });
    // An override wins over a builtin added later for the same key.
    engine.addScripts([
      { key: 'example.com/Widget', source: 'return { status = "Healthy" }', origin: 'builtin' },
    ]);
    expect(engine.assess(widget)?.status).toBe('Progressing');
    expect(engine.run({ key: '*', source: 'return { status = "Degraded", message = "x" }' }, widget)).toEqual(
      {
        status: 'Degraded',
        message: 'x',
      },
    );
  });
});

describe('LuaHealthEngine.assess', () => {
  it('reads group and kind from the object', () => {
    engine.addScripts([
      { key: 'example.com/Gadget', source: 'return { status = "Suspended", message = "g" }' },
    ]);
    const gadget = { ...widget, kind: 'Gadget' };
    expect(engine.assess(gadget)).toEqual({ status: 'Suspended', message: 'g' });
    expect(engine.assess(gadget, { timeoutMs: 500 })?.status).toBe('Suspended');
    expect(engine.assess({ ...gadget, apiVersion: 'other.io/v1' })).toBeUndefined();
    // Still: another group and kind than the object's, explicitly.
    expect(engine.assess(widget, 'example.com', 'Gadget')?.message).toBe('g');
    expect(assessHealth(gadget, { lua: engine })?.status).toBe('Suspended');
  });
});

describe('aggregateHealth', () => {
  const pod = (name: string, phase: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'prod' },
    spec: { restartPolicy: 'Always' },
    status: { phase },
  });

  it('needs no invented id: it names each resource by its object', () => {
    const r = aggregateHealth([
      { live: pod('ok', 'Succeeded') },
      { live: pod('bad', 'Failed') },
      { target: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'prod' } } },
      { id: 'mine', live: pod('named', 'Succeeded') },
    ]);
    expect(r.resources.map((x) => x.id)).toEqual([
      'Pod/prod/ok',
      'Pod/prod/bad',
      'apps/Deployment/prod/web',
      'mine',
    ]);
    expect(r.status).toBe('Degraded');
    expect(r.message).toMatch(/^Pod\/prod\/bad is Degraded/);
  });

  it('takes live objects as they are', () => {
    const r = aggregateHealth([pod('a', 'Succeeded'), pod('b', 'Pending')]);
    expect(r.resources.map((x) => x.id)).toEqual(['Pod/prod/a', 'Pod/prod/b']);
    expect(r.status).toBe('Progressing');
    expect(aggregateHealth([{}]).resources[0]?.id).toBe('#0');
  });
});
