import type { ClusterClient, KubeApiError } from '@gitops-kit/cluster';
import type { KubeObject } from '@gitops-kit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestCluster, type TestCluster } from '../src/index.js';
import { goBase64ErrorOffset } from '../src/secret-writes.js';
import { errorOf } from './helpers.js';

// What kube-apiserver does to an object as it writes it, beyond storing the body: conversions
// (Secret stringData), which kinds carry metadata.generation and when it moves.

let cluster: TestCluster;
let client: ClusterClient;
const ns = 'writes';

beforeAll(async () => {
  cluster = await startTestCluster({ controllers: false, clientOptions: { retryBaseDelayMs: 5 } });
  client = cluster.client;
  await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
});

afterAll(async () => {
  await cluster?.stop();
});

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const secretRef = (name: string) => ({ apiVersion: 'v1', kind: 'Secret', namespace: ns, name });
const secret = (name: string, fields: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: ns },
  ...fields,
});

describe('Secret stringData', () => {
  it('becomes base64 data on create and is never stored; stringData wins over data', async () => {
    const created = await client.create(
      secret('created', {
        data: { user: b64('old'), keep: b64('kept') },
        stringData: { user: 'admin', pass: 's3cr3t' },
      }),
    );
    for (const obj of [created, await client.get(secretRef('created'))]) {
      expect(obj).not.toHaveProperty('stringData');
      expect(obj.data).toEqual({ user: b64('admin'), pass: b64('s3cr3t'), keep: b64('kept') });
      expect(obj.type).toBe('Opaque');
    }
    const listed = await client.list('v1', 'Secret', { namespace: ns });
    expect(listed.items.find((s) => s.metadata.name === 'created')).not.toHaveProperty('stringData');
  });

  it('is merged on update, on JSON merge and strategic merge patches, and on server-side apply', async () => {
    const base = await client.create(secret('updated', { data: { a: b64('1') } }));
    const put = await client.update({ ...base, stringData: { b: 'two' } });
    expect(put.data).toEqual({ a: b64('1'), b: b64('two') });
    expect(put).not.toHaveProperty('stringData');
    const merged = await client.patch(secretRef('updated'), 'merge', { stringData: { c: 'three' } });
    expect(merged.data).toMatchObject({ c: b64('three') });
    const strategic = await client.patch(secretRef('updated'), 'strategic', { stringData: { a: 'one' } });
    expect(strategic.data).toEqual({ a: b64('one'), b: b64('two'), c: b64('three') });
    expect(strategic).not.toHaveProperty('stringData');
    const applied = await client.apply(secret('applied', { stringData: { token: 'abc' } }), {
      fieldManager: 'ssa',
    });
    expect(applied.data).toEqual({ token: b64('abc') });
    expect(applied).not.toHaveProperty('stringData');
    const again = await client.apply(secret('applied', { stringData: { token: 'abc' } }), {
      fieldManager: 'ssa',
    });
    expect(again.metadata.resourceVersion).toBe(applied.metadata.resourceVersion);
    const changed = await client.apply(secret('applied', { stringData: { token: 'xyz' } }), {
      fieldManager: 'ssa',
    });
    expect(changed.data).toEqual({ token: b64('xyz') });
  });

  it('dry runs convert too', async () => {
    const dry = await client.create(secret('dry', { stringData: { k: 'v' } }), { dryRun: true });
    expect(dry.data).toEqual({ k: b64('v') });
    expect(dry).not.toHaveProperty('stringData');
  });
});

describe('Secret data must be base64', () => {
  it('finds the offset Go reports', () => {
    expect(goBase64ErrorOffset('')).toBeUndefined();
    expect(goBase64ErrorOffset('YWJj')).toBeUndefined();
    expect(goBase64ErrorOffset('YQ==')).toBeUndefined();
    expect(goBase64ErrorOffset('YWI=')).toBeUndefined();
    expect(goBase64ErrorOffset('YW\nJj\r\n')).toBeUndefined();
    expect(goBase64ErrorOffset('abc')).toBe(0); // a short last quantum: where it starts
    expect(goBase64ErrorOffset('YWJjZ')).toBe(4);
    expect(goBase64ErrorOffset('not base64!')).toBe(3); // the space
    expect(goBase64ErrorOffset('YQ=')).toBe(3); // "==" expected, input ends
    expect(goBase64ErrorOffset('Y===')).toBe(1);
    expect(goBase64ErrorOffset('YQ=x')).toBe(2);
    expect(goBase64ErrorOffset('YQ==YQ==')).toBe(4); // data after the padding
    expect(goBase64ErrorOffset('YWJj-_')).toBe(4); // the URL alphabet is not the standard one
  });

  it('refuses data that is not, on create, update and patch, as the decoder words it', async () => {
    const bad = await errorOf(client.create(secret('bad', { data: { password: 'not base64!' } })));
    expect(bad).toMatchObject({ status: 400, kubeReason: 'BadRequest' });
    expect(bad.message).toContain(
      'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3',
    );
    await client.create(secret('good', { data: { password: b64('x') } }));
    const current = await client.get(secretRef('good'));
    expect(await errorOf(client.update({ ...current, data: { password: 'abc' } }))).toMatchObject({
      status: 400,
    });
    expect(await errorOf(client.patch(secretRef('good'), 'merge', { data: { more: '%%%%' } }))).toMatchObject(
      {
        status: 400,
      },
    );
  });
});

describe('Secret type', () => {
  it('is defaulted to Opaque and cannot change', async () => {
    const tls = await client.create(
      secret('tls', { type: 'kubernetes.io/tls', data: { 'tls.crt': b64('c'), 'tls.key': b64('k') } }),
    );
    const err = (await errorOf(client.update({ ...tls, type: 'Opaque' }))) as unknown as KubeApiError;
    expect(err.status).toBe(422);
    expect(err.causes).toEqual([
      { reason: 'FieldValueInvalid', message: 'Invalid value: "Opaque": field is immutable', field: 'type' },
    ]);
    // Leaving the type out is asking for the default, Opaque: a change too.
    const { type: _omitted, ...untyped } = tls;
    expect(await errorOf(client.update(untyped as KubeObject))).toMatchObject({ status: 422 });
    const same = await client.patch(secretRef('tls'), 'merge', { data: { extra: b64('e') } });
    expect(same.type).toBe('kubernetes.io/tls');
  });
});

describe('ConfigMap and Secret keys', () => {
  it('must be config keys, and a ConfigMap key may not be in data and binaryData both', async () => {
    const err = (await errorOf(
      client.create({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'keys', namespace: ns },
        data: { 'ok.key': 'x', 'bad key': 'y', both: 'z' },
        binaryData: { both: b64('z'), '..hidden': b64('h') },
      }),
    )) as unknown as KubeApiError;
    expect(err.status).toBe(422);
    expect(err.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        message:
          "Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
        field: 'data[bad key]',
      },
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "both": duplicate of key present in binaryData',
        field: 'data[both]',
      },
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "..hidden": must not start with \'..\'',
        field: 'binaryData[..hidden]',
      },
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "both": duplicate of key present in data',
        field: 'binaryData[both]',
      },
    ]);
    // A Secret's stringData keys are checked as data keys, after the merge; on update too.
    const s = await client.create(secret('keys', { stringData: { good: 'v' } }));
    const bad = (await errorOf(
      client.update({ ...s, stringData: { 'no/slash': 'v' } }),
    )) as unknown as KubeApiError;
    expect(bad.status).toBe(422);
    expect(bad.causes.map((c) => c.field)).toEqual(['data[no/slash]']);
  });
});

describe('a pod spec through v1', () => {
  it('shows serviceAccount, the deprecated alias, equal to serviceAccountName; the alias fills an empty name', async () => {
    const d = await client.create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'sa', namespace: ns },
      spec: {
        selector: { matchLabels: { app: 'sa' } },
        template: {
          metadata: { labels: { app: 'sa' } },
          spec: { serviceAccountName: 'builder', containers: [{ name: 'c', image: 'nginx' }] },
        },
      },
    });
    const podSpec = (o: KubeObject) =>
      (o.spec as { template: { spec: Record<string, unknown> } }).template.spec as Record<string, unknown>;
    expect(podSpec(d)).toMatchObject({ serviceAccountName: 'builder', serviceAccount: 'builder' });
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name: 'sa' };
    const renamed = await client.patch(ref, 'strategic', {
      spec: { template: { spec: { serviceAccountName: 'runner' } } },
    });
    expect(podSpec(renamed)).toMatchObject({ serviceAccountName: 'runner', serviceAccount: 'runner' });
    const pod = await client.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'old-style', namespace: ns },
      spec: { serviceAccount: 'legacy', containers: [{ name: 'c', image: 'nginx' }] },
    });
    expect(pod.spec).toMatchObject({ serviceAccountName: 'legacy', serviceAccount: 'legacy' });
  });
});

describe('what a Secret type requires', () => {
  it('is checked on create and update, after stringData is merged', async () => {
    const tls = (await errorOf(
      client.create(secret('tls-missing', { type: 'kubernetes.io/tls', data: { 'tls.crt': b64('c') } })),
    )) as unknown as KubeApiError;
    expect(tls.status).toBe(422);
    expect(tls.causes).toEqual([
      { reason: 'FieldValueRequired', message: 'Required value', field: 'data[tls.key]' },
    ]);
    const auth = await client.create(
      secret('auth', { type: 'kubernetes.io/basic-auth', stringData: { username: 'u', password: 'p' } }),
    );
    expect(auth.data).toEqual({ username: b64('u'), password: b64('p') });
    const emptied = (await errorOf(client.update({ ...auth, data: {} }))) as unknown as KubeApiError;
    expect(emptied.causes.map((c) => c.field)).toEqual(['data[username]', 'data[password]']);
    const token = (await errorOf(
      client.create(secret('token', { type: 'kubernetes.io/service-account-token' })),
    )) as unknown as KubeApiError;
    expect(token.causes.map((c) => c.field)).toEqual([
      'metadata.annotations[kubernetes.io/service-account.name]',
    ]);
    const ssh = (await errorOf(
      client.create(secret('ssh', { type: 'kubernetes.io/ssh-auth', data: { 'ssh-privatekey': '' } })),
    )) as unknown as KubeApiError;
    expect(ssh.causes.map((c) => c.field)).toEqual(['data[ssh-privatekey]']);
  });
});

describe('metadata.generation', () => {
  it('only kinds whose registry keeps one have it', async () => {
    const svc = await client.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'svc', namespace: ns },
      spec: { ports: [{ port: 80 }] },
    });
    expect(svc.metadata.generation).toBeUndefined();
    const updated = await client.patch(
      { apiVersion: 'v1', kind: 'Service', namespace: ns, name: 'svc' },
      'merge',
      { spec: { ports: [{ port: 81 }] } },
    );
    expect(updated.metadata.generation).toBeUndefined();
    const nsObj = await client.get({ apiVersion: 'v1', kind: 'Namespace', name: ns });
    expect(nsObj.metadata.generation).toBeUndefined();
    const pdb = await client.create({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'pdb', namespace: ns },
      spec: { minAvailable: 1, selector: { matchLabels: { app: 'x' } } },
    });
    expect(pdb.metadata.generation).toBe(1);
    const hook = await client.create({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'hook' },
      webhooks: [],
    });
    expect(hook.metadata.generation).toBe(1);
  });

  it("a Deployment's annotations bump it (they are copied to its ReplicaSets); its labels do not", async () => {
    const d = await client.create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: ns },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'c', image: 'nginx' }] },
        },
      },
    });
    expect(d.metadata.generation).toBe(1);
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name: 'web' };
    const labelled = await client.patch(ref, 'merge', { metadata: { labels: { team: 'a' } } });
    expect(labelled.metadata.generation).toBe(1);
    const annotated = await client.patch(ref, 'merge', { metadata: { annotations: { note: 'x' } } });
    expect(annotated.metadata.generation).toBe(2);
  });

  it('an EndpointSlice bumps on its content and its labels', async () => {
    const slice = await client.create({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'slice', namespace: ns },
      addressType: 'IPv4',
      endpoints: [],
    });
    expect(slice.metadata.generation).toBe(1);
    const ref = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', namespace: ns, name: 'slice' };
    const annotated = await client.patch(ref, 'merge', { metadata: { annotations: { a: 'b' } } });
    expect(annotated.metadata.generation).toBe(1);
    const labelled = await client.patch(ref, 'merge', { metadata: { labels: { a: 'b' } } });
    expect(labelled.metadata.generation).toBe(2);
    const moved = await client.patch(ref, 'merge', { endpoints: [{ addresses: ['10.0.0.1'] }] });
    expect(moved.metadata.generation).toBe(3);
  });

  it('a custom resource without a status subresource bumps on status too; with one, status is not its to write', async () => {
    await client.create({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'plain.example.com' },
      spec: {
        group: 'example.com',
        names: { kind: 'Plain', plural: 'plain', singular: 'plain' },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    });
    const plain = await eventually(async () => {
      try {
        return await client.create({
          apiVersion: 'example.com/v1',
          kind: 'Plain',
          metadata: { name: 'p', namespace: ns },
          spec: { a: 1 },
          status: { phase: 'new' },
        });
      } catch (err) {
        client.invalidateDiscovery();
        throw err;
      }
    }, 'the Plain kind to be served');
    expect(plain.metadata.generation).toBe(1);
    expect(plain.status).toEqual({ phase: 'new' }); // no status subresource: status is ordinary data
    const ref = { apiVersion: 'example.com/v1', kind: 'Plain', namespace: ns, name: 'p' };
    const statusOnly = await client.patch(ref, 'merge', { status: { phase: 'done' } });
    expect(statusOnly.metadata.generation).toBe(2);
    const meta = await client.patch(ref, 'merge', { metadata: { labels: { x: 'y' } } });
    expect(meta.metadata.generation).toBe(2);
  });

  it('a custom resource with a status subresource: status only through /status, spec never there', async () => {
    await client.create({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'gizmos.example.com' },
      spec: {
        group: 'example.com',
        names: { kind: 'Gizmo', plural: 'gizmos', singular: 'gizmo' },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            subresources: { status: {} },
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    });
    const gizmo = (fields: Record<string, unknown>): KubeObject => ({
      apiVersion: 'example.com/v1',
      kind: 'Gizmo',
      metadata: { name: 'g', namespace: ns },
      ...fields,
    });
    const created = await eventually(async () => {
      try {
        return await client.create(gizmo({ spec: { size: 1 }, status: { phase: 'made-up' } }));
      } catch (err) {
        client.invalidateDiscovery();
        throw err;
      }
    }, 'the Gizmo kind to be served');
    expect(created.status).toBeUndefined(); // dropped on create
    const ref = { apiVersion: 'example.com/v1', kind: 'Gizmo', namespace: ns, name: 'g' };
    const withStatus = await client.patch(
      ref,
      'merge',
      { status: { phase: 'Ready' } },
      { subresource: 'status' },
    );
    expect(withStatus.status).toEqual({ phase: 'Ready' });
    expect(withStatus.metadata.generation).toBe(1);
    const main = await client.patch(ref, 'merge', { spec: { size: 2 }, status: { phase: 'Lost' } });
    expect(main.status).toEqual({ phase: 'Ready' }); // a main-resource write keeps the stored status
    expect(main.metadata.generation).toBe(2);
    const applied = await client.apply(gizmo({ spec: { size: 2 }, status: { phase: 'Applied' } }), {
      fieldManager: 'ssa',
      force: true,
    });
    expect(applied.status).toEqual({ phase: 'Ready' });
    const viaStatus = await client.updateStatus({ ...applied, spec: { size: 9 }, status: { phase: 'Done' } });
    expect(viaStatus.spec).toEqual({ size: 2 }); // a /status write keeps the stored spec
    expect(viaStatus.status).toEqual({ phase: 'Done' });
    expect(viaStatus.metadata.generation).toBe(2);
  });
});
