// Lua health customizations from a ConfigMap (read over HTTP from testkit) and from a directory in
// Argo CD's layout, as the operator will use them, and an application's health through them.
import { createMemFileSystem, type KubeObject } from '@gitops-kit/core';
import { aggregateHealth, LuaScriptError } from '@gitops-kit/health';
import { startTestCluster, type TestCluster } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HEALTH_CUSTOMIZATIONS_CONFIGMAP,
  HealthCustomizations,
  healthScriptsFromConfigMapData,
} from '../src/index.js';

const NS = 'gitops-kit';

// The application's objects: a ConfigMap (no built-in health) and a Deployment (built-in rule).
const flag = (ready: string): KubeObject =>
  ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'flag', namespace: 'app' },
    data: { ready },
  }) as KubeObject;
const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'app', generation: 1 },
  spec: { replicas: 1 },
  status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 },
} as KubeObject;

const configMapScript = `local hs = {}
if obj.data ~= nil and obj.data.ready == "yes" then
  hs.status = "Healthy"
  hs.message = "flag is up"
else
  hs.status = "Progressing"
  hs.message = "waiting for the flag"
end
return hs`;

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startTestCluster({ controllers: false });
  await cluster.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
});
afterAll(async () => {
  await cluster?.stop();
});

async function writeConfigMap(data: Record<string, string> | undefined): Promise<void> {
  const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: NS, name: HEALTH_CUSTOMIZATIONS_CONFIGMAP };
  const current = await cluster.client.get(ref).catch(() => undefined);
  if (data === undefined) {
    if (current) await cluster.client.delete(ref);
    return;
  }
  const body = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: ref.name, namespace: NS },
    data,
  } as KubeObject;
  if (current)
    await cluster.client.update({
      ...body,
      metadata: { ...body.metadata, resourceVersion: current.metadata.resourceVersion },
    });
  else await cluster.client.create(body);
}

describe('HealthCustomizations', () => {
  it('a Lua script from the ConfigMap decides the application’s health; edits and removal are picked up', async () => {
    await writeConfigMap({ 'resource.customizations.health.ConfigMap': configMapScript });
    const custom = await HealthCustomizations.create({ client: cluster.client, namespace: NS });
    try {
      expect(custom.errors).toEqual([]);
      const waiting = aggregateHealth([flag('no'), deployment], custom.healthOptions);
      expect(waiting.status).toBe('Progressing');
      expect(waiting.causes).toEqual([
        { id: 'ConfigMap/app/flag', status: 'Progressing', message: 'waiting for the flag' },
      ]);
      expect(aggregateHealth([flag('yes'), deployment], custom.healthOptions).status).toBe('Healthy');

      expect(await custom.refresh()).toBe(false);
      await writeConfigMap({
        'resource.customizations.health.ConfigMap': 'return { status = "Degraded", message = "always" }',
      });
      expect(await custom.refresh()).toBe(true);
      expect(aggregateHealth([flag('yes'), deployment], custom.healthOptions).status).toBe('Degraded');

      await writeConfigMap(undefined);
      expect(await custom.refresh()).toBe(true);
      // No script: a ConfigMap has no health check, the Deployment's built-in rule remains.
      const plain = aggregateHealth([flag('no'), deployment], custom.healthOptions);
      expect(plain.status).toBe('Healthy');
      expect(plain.resources.map((r) => r.skipped)).toEqual(['no-check', undefined]);
    } finally {
      custom.close();
    }
  });

  it('the ConfigMap overrides the directory, which overrides the built-in rules', async () => {
    const { fs } = createMemFileSystem({
      '/rc/apps/Deployment/health.lua': 'return { status = "Suspended", message = "from the directory" }',
      '/rc/ConfigMap/health.lua': 'return { status = "Healthy", message = "from the directory" }',
    });
    await writeConfigMap({
      'resource.customizations.health.ConfigMap':
        'return { status = "Progressing", message = "from the ConfigMap" }',
    });
    const custom = await HealthCustomizations.create({
      client: cluster.client,
      namespace: NS,
      directory: { fs, path: '/rc' },
    });
    try {
      const h = aggregateHealth([flag('yes'), deployment], custom.healthOptions);
      expect(h.resources.map((r) => r.health?.message)).toEqual(['from the ConfigMap', 'from the directory']);
    } finally {
      custom.close();
    }
  });

  it('reports keys it cannot read and scripts that do not compile, with the key and line; the rest still work', async () => {
    await writeConfigMap({
      'resource.customizations.health.a_b_c': 'return {}',
      'resource.customizations.health.ConfigMap': 'local hs = {}\nhs.status = "Healthy"\nreturn hs end',
      'resource.customizations.health.apps_Deployment': 'return { status = "Suspended", message = "ok" }',
    });
    const custom = await HealthCustomizations.create({ client: cluster.client, namespace: NS });
    try {
      expect(custom.errors.map((e) => [e.code, e.file ?? e.path, e.line])).toEqual([
        ['VALIDATION_ERROR', 'resource.customizations.health.a_b_c', undefined],
        ['HEALTH_CHECK_ERROR', 'resource.customizations.health.ConfigMap', 3],
      ]);
      expect(custom.errors[1]).toBeInstanceOf(LuaScriptError);
      const h = aggregateHealth([flag('yes'), deployment], custom.healthOptions);
      expect(h.resources.map((r) => r.health?.status)).toEqual(['Unknown', 'Suspended']);
    } finally {
      custom.close();
    }
  });
});

describe('healthScriptsFromConfigMapData', () => {
  it('split keys win over the legacy map; useOpenLibs is honoured per key', () => {
    const { scripts, errors } = healthScriptsFromConfigMapData({
      'resource.customizations': 'example.com/Widget:\n  health.lua: return { status = "Healthy" }\n',
      'resource.customizations.health.example.com_Widget': 'return { status = "Degraded" }',
      'resource.customizations.useOpenLibs.example.com_Widget': 'true',
    });
    expect(errors).toEqual([]);
    expect(scripts.map((s) => [s.key, s.source, s.openLibs])).toEqual([
      ['example.com/Widget', 'return { status = "Degraded" }', true],
    ]);
  });
});
