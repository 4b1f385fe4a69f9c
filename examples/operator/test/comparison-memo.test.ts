// ComparisonMemo: the last comparison is answered again only while nothing it reads changed; the
// oracle for each answer is sync's compareApplicationWithDiff on the same input.
import type { KubeObject } from '@gitops-kit/core';
import { compareApplicationWithDiff } from '@gitops-kit/sync';
import { describe, expect, it } from 'vitest';
import { ComparisonMemo } from '../src/comparison-memo.js';

const desired: KubeObject[] = [
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } },
];
const live = (value: string, resourceVersion: string): KubeObject[] => [
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c', namespace: 'web', resourceVersion },
    data: { a: value },
  },
];

describe('ComparisonMemo', () => {
  it('answers the last comparison while desired, live versions and options are the same', () => {
    const memo = new ComparisonMemo();
    const input = { desired, live: live('1', '5'), defaultNamespace: 'web', ignore: [], healthOptions: {} };
    const first = memo.compare('apps/a', input);
    expect(first.comparison).toEqual(compareApplicationWithDiff(input).comparison);
    expect(first.comparison.sync).toBe('Synced');
    // A fresh read of the same versions, fresh health options with the same parts: the same answer.
    expect(memo.compare('apps/a', { ...input, live: live('1', '5'), healthOptions: {} })).toBe(first);
    // Another Application is compared on its own.
    expect(memo.compare('apps/b', input)).not.toBe(first);
  });

  it('compares again when a live version, the desired objects or the ignore rules change', () => {
    const memo = new ComparisonMemo();
    const input = { desired, live: live('1', '5'), defaultNamespace: 'web', ignore: [] };
    const first = memo.compare('apps/a', input);
    const drifted = memo.compare('apps/a', { ...input, live: live('2', '6') });
    expect(drifted).not.toBe(first);
    expect(drifted.comparison.sync).toBe('OutOfSync');
    const rendered = memo.compare('apps/a', { ...input, live: live('2', '6'), desired: [...desired] });
    expect(rendered).not.toBe(drifted);
    const ignoring = memo.compare('apps/a', {
      ...input,
      live: live('2', '6'),
      desired: [...desired],
      ignore: [{ kind: 'ConfigMap', jsonPointers: ['/data'] }],
    });
    expect(ignoring).not.toBe(rendered);
    expect(ignoring.comparison.sync).toBe('Synced');
  });

  it('keeps nothing with diff options, or for live objects without a resourceVersion', () => {
    const memo = new ComparisonMemo();
    const withOptions = { desired, live: live('1', '5'), defaultNamespace: 'web', diffOptions: {} };
    expect(memo.compare('apps/a', withOptions)).not.toBe(memo.compare('apps/a', withOptions));
    const unversioned = { desired, live: live('1', ''), defaultNamespace: 'web' };
    expect(memo.compare('apps/a', unversioned)).not.toBe(memo.compare('apps/a', unversioned));
  });
});
