import type { ClusterClient } from '@gitops-kit/cluster';
import type { KubeObject } from '@gitops-kit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceOperator, startReferenceOperator } from '../src/index.js';
import { type OperatorEnvironment, quietLogger, startOperatorEnvironment } from './harness.js';

// A client that throws a plain Error quoting what it was asked to write (as a careless wrapper
// might): the failed sync's status, history and Events must hold no value of the app's Secret.

const PASSWORD = 'p4ssw0rd-of-the-app';
const ENCODED = Buffer.from(PASSWORD).toString('base64');

const files = {
  'leaky/kustomization.yaml': 'resources:\n- secret.yaml\n- config.yaml\n',
  'leaky/secret.yaml': `apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\ntype: Opaque\ndata:\n  password: ${ENCODED}\n`,
  'leaky/config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: "1"\n',
};

/** `inner`, but a write of anything into `web-leaky` throws an Error quoting it. */
function quotingClient(inner: ClusterClient): ClusterClient {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      if (prop === 'apply' || prop === 'create') {
        return (obj: KubeObject, ...rest: unknown[]) => {
          if (obj.metadata?.namespace === 'web-leaky' && obj.kind !== 'Namespace') {
            return Promise.reject(new Error(`cannot write ${JSON.stringify(obj)}`));
          }
          return (value as (...a: unknown[]) => unknown).apply(target, [obj, ...rest]);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

describe('Secret values in the operator status and Events', () => {
  let env: OperatorEnvironment;
  let op: ReferenceOperator | undefined;
  beforeAll(async () => {
    env = await startOperatorEnvironment({ seed: files });
    // The operator under test writes through the quoting client; the environment's stays clean.
    await env.op.stop();
    op = await startReferenceOperator({
      client: quotingClient(env.cluster.client),
      leaderElection: false,
      server: { port: 0, host: '127.0.0.1' },
      allowUnsignedWebhooks: true,
      logger: quietLogger(),
      retry: { baseDelayMs: 100, maxDelayMs: 1000 },
    });
  }, 60_000);
  afterAll(async () => {
    await op?.stop();
    await env?.stop();
  });

  it('are not in the failed sync’s status, history or Events', async () => {
    await env.cluster.client.create(env.application('leaky', 'leaky', { prune: true }));
    const status = await env.statusWhen(
      'leaky',
      (s) => s.operationState?.phase === 'Failed' || s.operationState?.phase === 'Error',
      'a failed sync',
    );
    const text = JSON.stringify(status);
    expect(text).toContain('settings');
    expect(text).not.toContain(ENCODED);
    expect(text).not.toContain(PASSWORD);
    const events = await env.cluster.client.list('v1', 'Event', { namespace: 'apps' });
    const messages = JSON.stringify(
      events.items.map((e) => (e as KubeObject & { message?: string }).message),
    );
    expect(messages).toMatch(/SyncFailed|sync to/);
    expect(messages).not.toContain(ENCODED);
    expect(messages).not.toContain(PASSWORD);
  }, 60_000);
});
