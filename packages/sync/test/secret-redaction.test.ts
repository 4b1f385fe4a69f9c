import type { ClusterClient } from '@gitops-kit/cluster';
import type { KubeObject } from '@gitops-kit/core';
import { startTestCluster, type TestCluster } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  planFromCluster,
  redactSecretValues,
  runSync,
  type SyncEvent,
  secretValuesOf,
} from '../src/index.js';

// A client that throws a plain Error quoting the object it was given (as a careless wrapper
// might): no Secret value may reach the result, its messages or any event.

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startTestCluster({ controllers: false });
});
afterAll(async () => {
  await cluster?.stop();
});

const PASSWORD = 'hunter2-correct-horse';
const TOKEN = 'tok-3f9a77c1d0';

function secret(name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'default' },
    type: 'Opaque',
    data: { password: Buffer.from(PASSWORD).toString('base64') },
    stringData: { token: TOKEN },
  } as KubeObject;
}

function configMap(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { a: '1' } };
}

/** The cluster's client, but every write throws an Error quoting the whole write and the plan's Secret. */
function quotingClient(inner: ClusterClient, quoted: KubeObject): ClusterClient {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      if (prop === 'apply' || prop === 'create' || prop === 'patch' || prop === 'update') {
        return async (...args: unknown[]) => {
          throw new Error(`write failed for ${JSON.stringify(args[0])}; also saw ${JSON.stringify(quoted)}`);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

function leaks(text: string): string[] {
  const forms = [
    PASSWORD,
    Buffer.from(PASSWORD).toString('base64'),
    TOKEN,
    Buffer.from(TOKEN).toString('base64'),
  ];
  return forms.filter((f) => text.includes(f));
}

describe('Secret values in errors and events', () => {
  it('knows a Secret value in each form a message could quote it', () => {
    const values = secretValuesOf([secret('s'), configMap('c')]);
    expect(values).toEqual(
      expect.arrayContaining([
        PASSWORD,
        Buffer.from(PASSWORD).toString('base64'),
        TOKEN,
        Buffer.from(TOKEN).toString('base64'),
      ]),
    );
    expect(redactSecretValues(`x ${PASSWORD} y`, values)).toBe('x *** y');
  });

  it('are never in the result or the events, whatever the client throws', async () => {
    const desired = [secret('creds'), configMap('settings')];
    const plan = await planFromCluster(cluster.client, desired, { app: 'leaky', namespaces: ['default'] });
    const run = runSync(plan, quotingClient(cluster.client, secret('creds')), {
      pollIntervalMs: 10,
      retry: { limit: 0 },
    });
    const events: SyncEvent[] = [];
    for await (const e of run) events.push(e);
    const result = await run.result;
    expect(result.phase).toBe('Failed');
    expect(leaks(JSON.stringify(result))).toEqual([]);
    expect(leaks(JSON.stringify(events))).toEqual([]);
    // The Secret's own failure says what failed without the client's words; the ConfigMap's keeps
    // its message, cleared of the Secret it quoted.
    const byKind = new Map(result.resources.map((r) => [r.key.kind, r]));
    expect(byKind.get('Secret')?.message).toMatch(/withheld because the object is a Secret/);
    expect(byKind.get('ConfigMap')?.message).toMatch(/write failed for .*"settings"/);
    expect(byKind.get('ConfigMap')?.message).toContain('***');
  });
});
