import type { KubeObject } from '@gitops-kit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { diff, diffMany, hideSecretData, renderDiff, stopJq } from '../src/index.js';

afterAll(() => stopJq());

// A value that must never appear in any output, plain or base64.
const SECRET = 'hunter2-very-secret';
const SECRET_B64 = Buffer.from(SECRET).toString('base64');
const OTHER_B64 = Buffer.from('another-value').toString('base64');

function secret(data: Record<string, string>, extra: Partial<KubeObject> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db', namespace: 'shop' },
    type: 'Opaque',
    data,
    ...extra,
  };
}

function leaks(value: unknown): boolean {
  const text =
    typeof value === 'string'
      ? value
      : JSON.stringify(value, (_k, v) =>
          v instanceof Error ? { ...v, message: v.message, stack: v.stack } : v,
        );
  return text.includes(SECRET) || text.includes(SECRET_B64);
}

describe('Secret masking (Argo CD semantics)', () => {
  it('masks equal values equally and different values differently across target, live and last-applied', () => {
    const last = secret({ a: 'MQ==', b: 'Mg==' });
    const live = secret({ a: 'MQ==', b: 'Mw==' }, {});
    live.metadata.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(last) };
    const target = secret({ a: 'MQ==', b: 'NA==' });
    const masked = hideSecretData(target, live);
    expect(masked.target?.data).toEqual({ a: '++++++++', b: '++++++++' });
    expect(masked.live?.data).toEqual({ a: '++++++++', b: '++++++++++++' });
    const lastMasked = JSON.parse(
      masked.live?.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'] ?? '{}',
    );
    expect(lastMasked.data).toEqual({ a: '++++++++', b: '++++++++++++++++' });
  });

  it('folds stringData before masking and masks chosen annotations', () => {
    const target = secret({}, { stringData: { token: SECRET } });
    target.metadata.annotations = { note: SECRET, keep: 'visible' };
    const masked = hideSecretData(target, null, { hideAnnotations: ['note'] });
    expect(masked.target).not.toHaveProperty('stringData');
    expect(masked.target?.data).toEqual({ token: '++++++++' });
    expect(masked.target?.metadata.annotations).toEqual({ note: '++++++++', keep: 'visible' });
    expect(leaks(masked)).toBe(false);
  });

  it('leaves other kinds alone', () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } };
    expect(hideSecretData(cm, cm).target).toEqual(cm);
  });
});

describe('no output of the package contains a Secret value', () => {
  const desired = secret({ password: SECRET_B64 }, { stringData: { extra: SECRET } });
  const live = secret({ password: OTHER_B64 });
  live.metadata.annotations = {
    'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(secret({ password: SECRET_B64 })),
  };
  const outputs: unknown[] = [];

  it('diff results, rendered diffs, diffMany', () => {
    for (const strategy of ['auto', 'two-way', 'three-way', 'structured-merge'] as const) {
      const result = diff(desired, live, { strategy });
      expect(result.modified).toBe(true);
      outputs.push(result, renderDiff(result), renderDiff(result, { color: true }));
    }
    const created = diff(desired, null);
    outputs.push(created, renderDiff(created));
    const onlyLive = diff(null, { ...desired, data: { password: SECRET_B64 } });
    outputs.push(onlyLive, renderDiff(onlyLive));
    outputs.push(diffMany({ desired: [desired], live: [live] }));
    // Even a result asked with values shown renders masked.
    outputs.push(renderDiff(diff(desired, live, { showSecretValues: true })));
    const dryRun = structuredClone(desired);
    outputs.push(diff(desired, live, { strategy: 'server-side', serverSideDryRun: dryRun }));
  });

  it('errors', () => {
    const attempts: (() => unknown)[] = [
      () => diff(desired, { ...live, metadata: { ...live.metadata, name: 'other' } }),
      () => diff(desired, { ...live, kind: 'ConfigMap' }),
      () => diff({ ...desired, apiVersion: '' }, live),
      () =>
        diff(desired, live, {
          ignoreDifferences: [{ kind: 'Secret', jqPathExpressions: ['.data.password | error(.)'] }],
        }),
      () =>
        diff(desired, live, {
          ignoreDifferences: [{ kind: 'Secret', jqPathExpressions: ['.data | tonumber'] }],
        }),
      () =>
        diff(desired, live, {
          ignoreDifferences: [{ kind: 'Secret', jqPathExpressions: ['until(false; .)'] }],
          jqTimeoutMs: 200,
        }),
      () => diff(desired, live, { strategy: 'server-side' }),
      () =>
        diff(
          desired,
          {
            ...live,
            metadata: {
              ...live.metadata,
              annotations: { 'kubectl.kubernetes.io/last-applied-configuration': `{${SECRET}` },
            },
          },
          { strategy: 'three-way' },
        ),
    ];
    for (const attempt of attempts) {
      let caught: unknown;
      try {
        attempt();
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(Error);
      outputs.push(caught, String(caught), (caught as { toJSON?: () => unknown }).toJSON?.());
    }
  });

  it('none of them leaks', () => {
    expect(outputs.length).toBeGreaterThan(20);
    for (const out of outputs) expect(leaks(out)).toBe(false);
  });
});
