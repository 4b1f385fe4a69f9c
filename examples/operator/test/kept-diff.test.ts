// keptDiff: what the operator keeps of a comparison's diff for the web view. The oracle is the
// diff package's renderDiff of the whole result: every item renders the same text from the kept one.
import type { KubeObject } from '@gitops-kit/core';
import { renderDiff } from '@gitops-kit/diff';
import { compareApplicationWithDiff } from '@gitops-kit/sync';
import { describe, expect, it } from 'vitest';
import { ComparisonMemo } from '../src/comparison-memo.js';
import { keptDiff, withKeptDiff } from '../src/kept-diff.js';

const cm = (name: string, data: Record<string, string>, resourceVersion?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'web', ...(resourceVersion ? { resourceVersion } : {}) },
  data,
});
const secret = (name: string, value: string, resourceVersion?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: 'web', ...(resourceVersion ? { resourceVersion } : {}) },
  data: { password: Buffer.from(value).toString('base64') },
});

const input = {
  desired: [cm('same', { a: '1' }), cm('drifted', { a: '1' }), cm('new', { a: '1' }), secret('s', 'hunter2')],
  live: [
    cm('same', { a: '1' }, '5'),
    cm('drifted', { a: '2' }, '6'),
    cm('extra', { a: '1' }, '7'),
    secret('s', 'hunter2', '8'),
  ],
  defaultNamespace: 'web',
};

describe('keptDiff', () => {
  it('drops the objects of unchanged items only, and every item renders the same diff', () => {
    const full = compareApplicationWithDiff(input).diff!;
    const kept = keptDiff(full);
    expect(kept.modified).toBe(full.modified);
    expect(kept.items.map((i) => [i.key.name, i.status])).toEqual(
      full.items.map((i) => [i.key.name, i.status]),
    );
    const statuses = new Map(full.items.map((i) => [i.key.name, i.status]));
    expect(statuses.get('same')).toBe('unchanged');
    expect(statuses.get('s')).toBe('unchanged');
    expect(statuses.get('drifted')).toBe('update');
    expect(statuses.get('new')).toBe('create');
    expect(statuses.get('extra')).toBe('live-only');
    full.items.forEach((item, i) => {
      const k = kept.items[i]!;
      expect(renderDiff(k.result!)).toBe(renderDiff(item.result!));
      if (item.status === 'unchanged') {
        expect(k.result?.predictedLive).toBeNull();
        expect(k.result?.normalizedLive).toBeNull();
        expect(k.result?.modified).toBe(false);
        expect(k.result?.patch).toEqual({});
      } else {
        expect(k).toBe(item);
      }
    });
    expect(renderDiff(kept.items.find((i) => i.key.name === 'drifted')!.result!)).toContain('-  a: "2"');
  });

  it('withKeptDiff keeps the comparison, and a render error (no diff) as it is', () => {
    const out = compareApplicationWithDiff(input);
    const kept = withKeptDiff(out);
    expect(kept.comparison).toBe(out.comparison);
    const failed = compareApplicationWithDiff({ ...input, desired: undefined, renderError: new Error('x') });
    expect(withKeptDiff(failed)).toBe(failed);
  });

  it('a ComparisonMemo given it remembers and answers the kept diff', () => {
    const memo = new ComparisonMemo((i) => withKeptDiff(compareApplicationWithDiff(i)));
    const first = memo.compare('apps/a', input);
    expect(first.diff?.items.find((i) => i.key.name === 'same')?.result?.normalizedLive).toBeNull();
    expect(memo.compare('apps/a', { ...input, live: [...input.live] })).toBe(first);
    expect(first.comparison).toEqual(compareApplicationWithDiff(input).comparison);
  });
});
