import type { KubeObject } from '@gitops-kit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aggregateHealth,
  applicationHealth,
  assessHealth,
  hasHealthCheck,
  LuaHealthEngine,
  luaHealthChecksFromConfigMap,
  WAITING_FOR_RECONCILE,
} from '../src/index.js';

function child(
  name: string,
  health?: { status: string; message?: string },
  generations: { generation?: number; observed?: number } = {},
  group = 'gitops-kit.dev',
): KubeObject {
  const status: Record<string, unknown> = {};
  if (health !== undefined) status.health = health;
  if (generations.observed !== undefined) status.observedGeneration = generations.observed;
  return {
    apiVersion: `${group}/v1alpha1`,
    kind: 'Application',
    metadata: {
      name,
      namespace: 'gitops-kit',
      ...(generations.generation !== undefined ? { generation: generations.generation } : {}),
    },
    spec: {},
    status,
  } as KubeObject;
}

describe('app-of-apps: an Application as a resource of another Application', () => {
  it('a parent is Progressing until its three children are Healthy, then Healthy', () => {
    const stages: [string, KubeObject[]][] = [
      ['none reconciled', [child('a'), child('b'), child('c')]],
      ['one left', [child('a', { status: 'Healthy' }), child('b', { status: 'Healthy' }), child('c')]],
      [
        'one rolling out',
        [
          child('a', { status: 'Healthy' }),
          child('b', { status: 'Progressing', message: 'deployment web: 1 of 3 ready' }),
          child('c', { status: 'Healthy' }),
        ],
      ],
    ];
    for (const [stage, children] of stages) {
      expect(aggregateHealth(children).status, stage).toBe('Progressing');
    }
    const done = aggregateHealth([
      child('a', { status: 'Healthy' }),
      child('b', { status: 'Healthy' }),
      child('c', { status: 'Healthy' }),
    ]);
    expect(done.status).toBe('Healthy');
    expect(done.resources.map((r) => r.id)).toEqual([
      'gitops-kit.dev/Application/gitops-kit/a',
      'gitops-kit.dev/Application/gitops-kit/b',
      'gitops-kit.dev/Application/gitops-kit/c',
    ]);
  });

  it('a Degraded child makes the parent Degraded and is named with its message', () => {
    const r = aggregateHealth([
      child('a', { status: 'Healthy' }),
      child('b', { status: 'Degraded', message: 'pod web-1 is CrashLoopBackOff' }),
      child('c'),
    ]);
    expect(r.status).toBe('Degraded');
    expect(r.causes).toEqual([
      {
        id: 'gitops-kit.dev/Application/gitops-kit/b',
        status: 'Degraded',
        message: 'pod web-1 is CrashLoopBackOff',
      },
    ]);
  });

  it("a child's health from before its latest spec is not trusted", () => {
    expect(applicationHealth(child('a', { status: 'Healthy' }, { generation: 3, observed: 2 }))).toEqual({
      status: 'Progressing',
      message: WAITING_FOR_RECONCILE,
    });
    expect(applicationHealth(child('a', { status: 'Healthy' }, { generation: 3, observed: 3 }))).toEqual({
      status: 'Healthy',
      message: '',
    });
  });

  it('an invalid or mistyped status is Unknown, never a throw', () => {
    expect(assessHealth(child('a', { status: 'Fine' }))?.status).toBe('Unknown');
    const mistyped = { ...child('a'), status: { health: { status: 3 } } } as unknown as KubeObject;
    expect(assessHealth(mistyped)).toEqual({
      status: 'Unknown',
      message: expect.stringContaining('status.health.status'),
    });
  });

  it("Argo CD's Application is left alone unless asked for, as in Argo CD", () => {
    const argo = child('a', { status: 'Degraded', message: 'x' }, {}, 'argoproj.io');
    // Argo CD's gitops-engine has no built-in rule for it (health corpus: builtin/application-*).
    expect(assessHealth(argo)).toBeUndefined();
    expect(hasHealthCheck('argoproj.io', 'Application')).toBe(false);
    expect(assessHealth(argo, { argoApplications: true })).toEqual({ status: 'Degraded', message: 'x' });
    expect(hasHealthCheck('argoproj.io', 'Application', { argoApplications: true })).toBe(true);
    expect(hasHealthCheck('gitops-kit.dev', 'Application')).toBe(true);
    expect(assessHealth(child('x', undefined, {}, 'example.com'))).toBeUndefined();
  });

  describe('against a Lua customization with the same contract', () => {
    // A script a user would put in argocd-cm for app-of-apps (written for this test): the same
    // decisions, so the built-in rule and a ConfigMap script agree, and the script overrides it.
    const script = `local hs = {}
      if obj.status ~= nil and obj.status.health ~= nil then
        hs.status = obj.status.health.status
        hs.message = obj.status.health.message
      end
      if hs.status == nil then
        hs.status = "Progressing"
        hs.message = "Waiting for application to be reconciled"
      end
      return hs`;
    let engine: LuaHealthEngine;
    beforeAll(async () => {
      engine = await LuaHealthEngine.create();
      engine.addScripts(
        luaHealthChecksFromConfigMap({ 'resource.customizations.health.argoproj.io_Application': script }),
      );
    });
    afterAll(() => engine.close());

    it('agrees on every case', () => {
      const cases = [
        child('a', undefined, {}, 'argoproj.io'),
        child('a', { status: 'Healthy' }, {}, 'argoproj.io'),
        child('a', { status: 'Suspended', message: 'paused' }, {}, 'argoproj.io'),
        child('a', { status: 'Missing' }, {}, 'argoproj.io'),
        child('a', { status: 'Degraded', message: 'broken' }, {}, 'argoproj.io'),
      ];
      for (const app of cases) {
        expect(applicationHealth(app), JSON.stringify(app.status)).toEqual(
          assessHealth(app, { lua: engine }),
        );
      }
    });

    it('a ConfigMap script overrides the built-in rule', () => {
      const e = engine;
      e.addScripts(
        luaHealthChecksFromConfigMap({
          'resource.customizations.health.gitops-kit.dev_Application':
            'return { status = "Suspended", message = "custom" }',
        }),
      );
      expect(assessHealth(child('a', { status: 'Healthy' }), { lua: e })).toEqual({
        status: 'Suspended',
        message: 'custom',
      });
    });
  });
});
