// The operator between fetch and apply, over HTTP against testkit: Flux's post-build substitution
// (one overlay rendered for two clusters with different variables) and SOPS decryption (keys from a
// Secret; the live Secret holds the value, status, Events, logs and diffs never do).
import { Writable } from 'node:stream';
import type { KubeObject } from '@gitops-kit/core';
import { eventually, startTestCluster, type TestCluster } from '@gitops-kit/testkit';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptDotenv, encryptJson, encryptYaml } from '../../../packages/sops/test/encrypt.js';
import { APPLICATION_API_VERSION, CLUSTER_SECRET_LABEL, createLogger } from '../src/index.js';
import {
  APPS_NAMESPACE,
  type OperatorEnvironment,
  RECONCILE_WAIT,
  startOperatorEnvironment,
} from './harness.js';

const PASSWORD = 'db-pa55-from-sops';
const TOKEN = 'api-t0ken-from-sops';
const CERT = 'cert-body-from-sops';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const SECRET_TEXTS = [PASSWORD, TOKEN, CERT, b64(PASSWORD), b64(TOKEN), b64(CERT)];

const SUBST_FILES = {
  'subst/kustomization.yaml': 'resources:\n- settings.yaml\n- raw.yaml\n',
  'subst/settings.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  cluster: ${cluster_name}\n' +
    '  tier: ${tier:=standard}\n  region: ${region:-unknown}\n  literal: $${kept}\n',
  'subst/raw.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: raw\n  annotations:\n' +
    '    kustomize.toolkit.fluxcd.io/substitute: disabled\ndata:\n  script: echo ${HOME}\n',
};

async function sopsFiles(recipient: string): Promise<Record<string, string>> {
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db' },
    type: 'Opaque',
    data: { password: b64(PASSWORD) },
  };
  return {
    'sops/kustomization.yaml':
      'resources:\n- secret.enc.yaml\nsecretGenerator:\n- name: app-env\n  envs:\n  - app.enc.env\n' +
      '  files:\n  - cert.pem=cert.enc\ngeneratorOptions:\n  disableNameSuffixHash: true\n',
    'sops/secret.enc.yaml': await encryptYaml(secret, [recipient], {
      encrypted_regex: '^(data|stringData)$',
    }),
    'sops/app.enc.env': await encryptDotenv({ TOKEN }, [recipient]),
    'sops/cert.enc': await encryptJson({ data: CERT }, [recipient]),
  };
}

function keySecret(name: string, identity: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: APPS_NAMESPACE },
    data: { 'identity.agekey': b64(`# a test key\n${identity}\n`) },
  };
}

describe('Application decryption and postBuild, end to end', () => {
  let env: OperatorEnvironment;
  let edge: TestCluster;
  let recipient: string;
  const logs: string[] = [];

  beforeAll(async () => {
    const identity = await generateX25519Identity();
    recipient = await identityToRecipient(identity);
    const seed = { ...SUBST_FILES, ...(await sopsFiles(recipient)) };
    edge = await startTestCluster({ controllers: false });
    const destination = new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    });
    env = await startOperatorEnvironment({
      seed,
      operator: { logger: createLogger({ level: 'debug', destination }) },
    });
    const client = env.cluster.client;
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gitops-kit' } });
    await client.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'edge', namespace: 'gitops-kit', labels: { [CLUSTER_SECRET_LABEL]: 'cluster' } },
      stringData: { name: 'edge', server: edge.url, kubeconfig: edge.kubeconfig },
    });
    await client.create(keySecret('sops-keys', identity));
  }, 60_000);
  afterAll(async () => {
    await env?.stop();
    await edge?.stop();
  });

  it('renders one overlay for two clusters with different variables', async () => {
    const client = env.cluster.client;
    await client.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'edge-vars', namespace: APPS_NAMESPACE },
      data: { tier: 'premium', region: 'eu-west' },
    });
    const app = (name: string, destination: object, postBuild: object) => {
      const base = env.application(name, 'subst', { prune: true });
      const spec = base.spec as { destination: object };
      return { ...base, spec: { ...spec, destination: { ...spec.destination, ...destination }, postBuild } };
    };
    await client.create(
      app(
        'subst-local',
        {},
        {
          substitute: { cluster_name: 'local' },
          substituteFrom: [{ kind: 'Secret', name: 'none', optional: true }],
        },
      ),
    );
    await client.create(
      app(
        'subst-edge',
        { server: undefined, name: 'edge' },
        { substitute: { cluster_name: 'edge' }, substituteFrom: [{ kind: 'ConfigMap', name: 'edge-vars' }] },
      ),
    );
    const settings = (cluster: TestCluster) =>
      eventually(
        async () => {
          const cm = await cluster.client
            .get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'web-subst', name: 'settings' })
            .catch(() => undefined);
          return cm?.data as Record<string, string> | undefined;
        },
        'the settings ConfigMap synced',
        RECONCILE_WAIT,
      );
    expect(await settings(env.cluster)).toEqual({
      cluster: 'local',
      tier: 'standard',
      region: 'unknown',
      literal: '${kept}',
    });
    expect(await settings(edge)).toEqual({
      cluster: 'edge',
      tier: 'premium',
      region: 'eu-west',
      literal: '${kept}',
    });
    const raw = await edge.client.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'web-subst',
      name: 'raw',
    });
    expect(raw.data).toEqual({ script: 'echo ${HOME}' });
    await env.statusWhen('subst-edge', (s) => s.sync?.status === 'Synced', 'edge Synced');
  }, 60_000);

  it('a missing variable in strict mode fails the render, naming the variable', async () => {
    const base = env.application('subst-strict', 'subst', { prune: true });
    await env.cluster.client.create({
      ...base,
      spec: { ...(base.spec as object), postBuild: { strict: true, substitute: { tier: 'gold' } } },
    });
    const status = await env.statusWhen(
      'subst-strict',
      (s) => s.conditions?.some((c) => c.message?.includes('cluster_name')),
      'a render error naming cluster_name',
    );
    expect(status.sync?.status).not.toBe('Synced');
  }, 60_000);

  it('decrypts SOPS files with keys from a Secret; no value reaches status, Events, logs or diffs', async () => {
    const client = env.cluster.client;
    const base = env.application('sealed', 'sops', { prune: true });
    await client.create({
      ...base,
      spec: { ...(base.spec as object), decryption: { provider: 'sops', secretRef: { name: 'sops-keys' } } },
    });
    await env.statusWhen('sealed', (s) => s.sync?.status === 'Synced', 'sealed Synced');
    const secret = (name: string) =>
      client.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'web-sops', name }) as Promise<
        KubeObject & { data?: Record<string, string> }
      >;
    expect((await secret('db')).data).toEqual({ password: b64(PASSWORD) });
    expect((await secret('app-env')).data).toEqual({ TOKEN: b64(TOKEN), 'cert.pem': b64(CERT) });

    // Drift, so that the diff has the Secret in it.
    await client.patch({ apiVersion: 'v1', kind: 'Secret', namespace: 'web-sops', name: 'db' }, 'merge', {
      data: { password: b64('drifted') },
    });
    const appRef = {
      apiVersion: APPLICATION_API_VERSION,
      kind: 'Application',
      namespace: APPS_NAMESPACE,
      name: 'sealed',
    };
    const app = await client.get(appRef);
    const diff = await eventually(
      () =>
        env.op.reconciler.diffProvider(app, {
          group: '',
          version: 'v1',
          kind: 'Secret',
          namespace: 'web-sops',
          name: 'db',
        }),
      'a diff of the drifted Secret',
      RECONCILE_WAIT,
    );
    const status = JSON.stringify(await env.applicationStatus('sealed'));
    const events = await client.list('v1', 'Event', { namespace: APPS_NAMESPACE });
    for (const text of SECRET_TEXTS) {
      expect(status).not.toContain(text);
      expect(diff).not.toContain(text);
      expect(JSON.stringify(events.items)).not.toContain(text);
      expect(logs.join('')).not.toContain(text);
    }
    expect(logs.length).toBeGreaterThan(0);
  }, 60_000);

  it('with a key that does not fit, the render fails naming the file and recipients; nothing is pruned', async () => {
    const client = env.cluster.client;
    await client.delete({ apiVersion: 'v1', kind: 'Secret', namespace: APPS_NAMESPACE, name: 'sops-keys' });
    await client.create(keySecret('sops-keys', await generateX25519Identity()));
    const appRef = {
      apiVersion: APPLICATION_API_VERSION,
      kind: 'Application',
      namespace: APPS_NAMESPACE,
      name: 'sealed',
    };
    await client.patch(appRef, 'merge', { metadata: { annotations: { 'gitops-kit.dev/refresh': 'hard' } } });
    const status = await env.statusWhen(
      'sealed',
      (s) =>
        s.conditions?.some((c) => /sops\/(secret\.enc\.yaml|app\.enc\.env|cert\.enc)/.test(c.message ?? '')),
      'a render error naming an encrypted file',
    );
    const message = status.conditions?.map((c) => c.message).join('\n') ?? '';
    expect(message).toContain(recipient);
    for (const text of SECRET_TEXTS) expect(JSON.stringify(status)).not.toContain(text);
    const db = await client.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'web-sops', name: 'db' });
    expect(db.metadata.name).toBe('db');
  }, 60_000);
});
