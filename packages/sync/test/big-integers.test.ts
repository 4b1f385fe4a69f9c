import type { ClusterClient } from '@gitops-kit/cluster';
import { isGitOpsError, type KubeObject, parseYamlDocuments, ValidationError } from '@gitops-kit/core';
import { startTestCluster, type TestCluster } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assertNoBigIntegers, planFromCluster, planSync } from '../src/index.js';
import { countingClient, quickstartApp, syncApp } from './helpers.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 });

// What a caller gets when it parses YAML keeping big integers exact, then passes the result on.
const QUOTA_YAML = `apiVersion: v1
kind: ConfigMap
metadata:
  name: limits
  namespace: big
data:
  a: "1"
binaryData: {}
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: quota
  namespace: big
spec:
  hard:
    pods: 10
  scopeSelector:
    matchExpressions:
    - operator: Exists
      scopeName: BestEffort
      weight: 9223372036854775807
`;

function parseWithBigInts(text: string): KubeObject[] {
  return parseYamlDocuments(text, { bigIntegers: 'bigint' }).map((d) => d.value as unknown as KubeObject);
}

function refusal(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error('not refused');
}

describe('desired objects holding a bigint', () => {
  it('planSync refuses them with a typed error naming the object and the field', () => {
    const desired = parseWithBigInts(QUOTA_YAML);
    const err = refusal(() => planSync(desired, [], { app: 'big' }));
    expect(err.code).toBe('INEXACT_INTEGER');
    expect(err.path).toBe('spec.scopeSelector.matchExpressions[0].weight');
    expect(err.message).toContain('ResourceQuota/big/quota');
    expect(err.message).toContain('field spec.scopeSelector.matchExpressions[0].weight');
    expect(err.message).toMatch(/2\^53/);
    expect(err.details).toEqual({ object: 'ResourceQuota/big/quota', index: 1 });
    // The JSON form (for logs and status) serialises, unlike the object it is about.
    expect(JSON.parse(JSON.stringify(err))).toMatchObject({ code: 'INEXACT_INTEGER' });
  });

  it('names a bigint at the top level or in a list, and never quotes the value', () => {
    const err = refusal(() =>
      assertNoBigIntegers([
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ok' }, data: { n: '9223372036854775807' } },
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: [1, 2n ** 60n] },
      ]),
    );
    expect(err.path).toBe('stringData[1]');
    expect(err.message).toContain('Secret/s');
    expect(err.message).not.toContain(String(2n ** 60n));
    const nameless = refusal(() => assertNoBigIntegers([{ spec: 12345678901234567890n }]));
    expect(nameless.message).toContain('desired object #0');
    expect(nameless.path).toBe('spec');
  });

  it('accepts plain JSON, including integers a number holds and big integers written as strings', () => {
    expect(() =>
      planSync(
        [
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'ok', namespace: 'big' },
            data: { n: '9223372036854775807' },
            extra: { max: Number.MAX_SAFE_INTEGER, nested: [[null, true, 1.5]] },
          },
        ],
        [],
        { app: 'big' },
      ),
    ).not.toThrow();
  });

  it('is not checked when the render failed (nothing is planned from desired objects then)', () => {
    const plan = planSync(parseWithBigInts(QUOTA_YAML), [], { app: 'big', renderError: new Error('x') });
    expect(plan.blocked).toMatch(/render failed/);
  });
});

describe('against a cluster: refused before anything is written or pruned', () => {
  let tc: TestCluster;
  beforeAll(async () => {
    tc = await startTestCluster();
  });
  afterAll(async () => {
    await tc?.stop();
  });

  it('planFromCluster refuses, and the app already in the cluster stays as it was', async () => {
    const namespace = 'big';
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } };
    const first = await syncApp(tc.client, [ns, ...quickstartApp({ namespace })], { app: 'big' });
    expect(first.result.phase).toBe('Succeeded');

    // The next desired state drops the quick-start objects (a prune) and adds a bigint.
    const client = countingClient(tc.client);
    let error: unknown;
    try {
      await syncApp(client, [ns, ...parseWithBigInts(QUOTA_YAML)], { app: 'big' }, { prune: true });
    } catch (err) {
      error = err;
    }
    expect(isGitOpsError(error, 'INEXACT_INTEGER')).toBe(true);
    expect(error).toBeInstanceOf(ValidationError);
    expect(client.writes).toEqual([]);
    const names = async (kind: string, apiVersion: string) =>
      (await tc.client.listAll(apiVersion, kind, { namespace })).items.map((o) => o.metadata.name).sort();
    expect(await names('ConfigMap', 'v1')).toContain('web-config');
    expect(await names('ConfigMap', 'v1')).not.toContain('limits');
    expect(await names('Deployment', 'apps/v1')).toEqual(['web']);
    expect(await names('ResourceQuota', 'v1')).toEqual([]);

    // planFromCluster refuses the same way before it reads the cluster: a client that fails on
    // any call is never called.
    const calls: string[] = [];
    const untouchable = new Proxy({} as ClusterClient, {
      get: (_target, prop) => () => {
        calls.push(String(prop));
        throw new Error(`cluster called: ${String(prop)}`);
      },
    });
    await expect(
      planFromCluster(untouchable, parseWithBigInts(QUOTA_YAML), { app: 'big' }),
    ).rejects.toMatchObject({
      code: 'INEXACT_INTEGER',
      path: 'spec.scopeSelector.matchExpressions[0].weight',
    });
    expect(calls).toEqual([]);
  });
});
