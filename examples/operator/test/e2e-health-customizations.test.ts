// Lua health customizations end to end over HTTP (testkit + the test git server + the operator): a
// script in the `gitops-kit-cm` ConfigMap decides an application's health, and the operator picks
// up an edit of the ConfigMap without any change to the Application or its source.
import { type KubeObject, stringifyKubeYaml } from '@gitops-kit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEALTH_CUSTOMIZATIONS_CONFIGMAP } from '../src/index.js';
import { OPERATOR_NAMESPACE, type OperatorEnvironment, startOperatorEnvironment } from './harness.js';

let env: OperatorEnvironment;
beforeAll(async () => {
  env = await startOperatorEnvironment({ operator: { clusterSecretsNamespace: OPERATOR_NAMESPACE } });
  await env.cluster.client.create({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: OPERATOR_NAMESPACE },
  });
}, 60_000);
afterAll(async () => {
  await env?.stop();
});

const flag = (ready: string) =>
  stringifyKubeYaml({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'flag' }, data: { ready } });

// Healthy once the flag's `ready` is "yes"; Progressing before.
const FLAG_SCRIPT = `local hs = {}
if obj.data ~= nil and obj.data.ready == "yes" then
  hs.status = "Healthy"
  hs.message = "the flag is up"
else
  hs.status = "Progressing"
  hs.message = "waiting for the flag"
end
return hs`;

async function writeCustomizations(data: Record<string, string>): Promise<void> {
  const ref = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    namespace: OPERATOR_NAMESPACE,
    name: HEALTH_CUSTOMIZATIONS_CONFIGMAP,
  };
  const current = await env.cluster.client.get(ref).catch(() => undefined);
  const body = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: ref.name, namespace: ref.namespace },
    data,
  } as KubeObject;
  if (current)
    await env.cluster.client.update({
      ...body,
      metadata: { ...body.metadata, resourceVersion: current.metadata.resourceVersion },
    });
  else await env.cluster.client.create(body);
}

const flagRow = (s: {
  resources?: { kind: string; name: string; health?: { status: string; message?: string } }[];
}) => (s.resources ?? []).find((r) => r.kind === 'ConfigMap' && r.name === 'flag');

describe('Lua health customizations in the operator', () => {
  it('a script from the gitops-kit-cm ConfigMap decides an app’s health; its edits are picked up', async () => {
    await env.repo.commit({ files: { 'flags/flag.yaml': flag('no') }, message: 'a flag' });
    await env.cluster.client.create(env.application('flags', 'flags', { prune: true }));
    // No script: a ConfigMap has no health check, the app is Healthy.
    const plain = await env.statusWhen(
      'flags',
      (s) => s.sync?.status === 'Synced' && s.health?.status === 'Healthy',
      'flags Synced and Healthy by the built-in rules',
    );
    expect(flagRow(plain)?.health).toBeUndefined();

    // The script arrives: the ConfigMap watch has the app compared again, now Progressing.
    await writeCustomizations({ 'resource.customizations.health.ConfigMap': FLAG_SCRIPT });
    const waiting = await env.statusWhen(
      'flags',
      (s) => s.health?.status === 'Progressing',
      'flags Progressing by the Lua script',
    );
    expect(flagRow(waiting)?.health).toEqual({ status: 'Progressing', message: 'waiting for the flag' });

    // The flag goes up in Git: the script says Healthy.
    await env.repo.commit({ files: { 'flags/flag.yaml': flag('yes') }, message: 'flag up' });
    await env.cluster.client.patch(
      { apiVersion: 'gitops-kit.dev/v1alpha1', kind: 'Application', namespace: 'apps', name: 'flags' },
      'merge',
      { metadata: { annotations: { 'gitops-kit.dev/refresh': 'normal' } } },
    );
    const up = await env.statusWhen(
      'flags',
      (s) => s.health?.status === 'Healthy' && flagRow(s)?.health?.status === 'Healthy',
      'flags Healthy by the Lua script',
    );
    expect(flagRow(up)?.health).toEqual({ status: 'Healthy', message: 'the flag is up' });

    // An edit of the script overrides what was decided before: Degraded, with its message.
    await writeCustomizations({
      'resource.customizations.health.ConfigMap': 'return { status = "Degraded", message = "flags are off" }',
    });
    const degraded = await env.statusWhen(
      'flags',
      (s) => s.health?.status === 'Degraded',
      'flags Degraded by the edited script',
    );
    expect(flagRow(degraded)?.health).toEqual({ status: 'Degraded', message: 'flags are off' });
  }, 120_000);

  it('the scripts decide the health waves wait for: a Degraded first wave fails the sync', async () => {
    // Every ConfigMap is Degraded (as the test before leaves it).
    await writeCustomizations({
      'resource.customizations.health.ConfigMap': 'return { status = "Degraded", message = "flags are off" }',
    });
    const wave = (name: string, n: string) =>
      stringifyKubeYaml({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, annotations: { 'argocd.argoproj.io/sync-wave': n } },
        data: { ready: 'yes' },
      });
    await env.repo.commit({
      files: { 'gated/gate.yaml': wave('gate', '0'), 'gated/behind.yaml': wave('behind', '1') },
      message: 'two waves of ConfigMaps',
    });
    await env.cluster.client.create(env.application('gated', 'gated', { prune: true }));
    const failed = await env.statusWhen(
      'gated',
      (s) => s.operationState?.phase === 'Failed',
      'the sync of gated failed at the first wave',
    );
    expect(failed.operationState?.message).toBe('ConfigMap/web-gated/gate is Degraded: flags are off');
    const behind = await env.cluster.client
      .get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'web-gated', name: 'behind' })
      .catch(() => undefined);
    expect(behind).toBeUndefined();
  }, 120_000);
});
