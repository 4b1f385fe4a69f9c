import type { KubeObject } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { type DiffManyJson, diffMany, renderDiffMany } from '../src/index.js';

function cm(name: string, data: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'web' }, data };
}

function secret(value: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'creds', namespace: 'web' },
    data: { password: Buffer.from(value).toString('base64') },
  };
}

const desired = [
  cm('same', { a: '1' }),
  cm('changed', { a: '2' }),
  cm('new', { a: '1' }),
  secret('hunter2-new'),
];
const live = [
  cm('same', { a: '1' }),
  cm('changed', { a: '1' }),
  cm('gone', { a: '1' }),
  secret('hunter2-old'),
];

function leaks(text: string): boolean {
  return ['hunter2-new', 'hunter2-old'].some(
    (v) => text.includes(v) || text.includes(Buffer.from(v).toString('base64')),
  );
}

describe('renderDiffMany', () => {
  for (const showSecretValues of [false, true]) {
    const result = diffMany({ desired, live }, { showSecretValues });
    const tag = showSecretValues ? ' (from a result with Secret values shown)' : '';

    it(`writes unified diffs of the differing objects as text${tag}`, () => {
      const text = renderDiffMany(result);
      expect(text).toContain('--- live/ConfigMap/web/changed');
      expect(text).toContain('+++ predicted/ConfigMap/web/changed');
      expect(text).toContain('-  a: "1"');
      expect(text).toContain('+  a: "2"');
      expect(text).toContain('--- /dev/null\n+++ predicted/ConfigMap/web/new');
      expect(text).toContain('--- live/ConfigMap/web/gone\n+++ /dev/null');
      expect(text).not.toContain('same');
      expect(text).toContain('password: ++++++++');
      expect(leaks(text)).toBe(false);
      expect(text).not.toContain('\u001b[');
      expect(renderDiffMany(result, { color: true })).toContain('\u001b[32m+  a: "2"');
    });

    it(`writes plain JSON with counts and masked changes${tag}`, () => {
      const text = renderDiffMany(result, { format: 'json' });
      const json = JSON.parse(text) as DiffManyJson;
      expect(json.modified).toBe(true);
      expect(json.counts).toEqual({ create: 1, update: 2, unchanged: 1, 'live-only': 1, error: 0 });
      expect(json.items.map((i) => `${i.status} ${i.key.name}`)).toEqual([
        'update changed',
        'create new',
        'update creds',
        'live-only gone',
      ]);
      expect(json.items[0]?.changes).toEqual([
        { pointer: '/data/a', op: 'replace', before: '1', after: '2' },
      ]);
      expect(json.items.find((i) => i.key.name === 'creds')?.changes?.length).toBeGreaterThan(0);
      expect(leaks(text)).toBe(false);
      const all = JSON.parse(
        renderDiffMany(result, { format: 'json', includeUnchanged: true }),
      ) as DiffManyJson;
      expect(all.items).toHaveLength(5);
    });

    it(`writes a Markdown comment with a table and collapsed diffs${tag}`, () => {
      const md = renderDiffMany(result, { format: 'markdown' });
      expect(md.startsWith('**1 to create, 2 to update, 1 only live, 0 errors, 1 unchanged**\n')).toBe(true);
      expect(md).toContain('| create | `ConfigMap/web/new` |');
      expect(md).toContain('| live-only | `ConfigMap/web/gone` |');
      expect(md).toContain('<details><summary>update <code>ConfigMap/web/changed</code></summary>');
      expect(md).toContain('```diff\n--- live/ConfigMap/web/changed');
      expect(leaks(md)).toBe(false);
    });
  }

  it('says so when nothing differs, and reports errors', () => {
    const same = diffMany({ desired: [cm('same', { a: '1' })], live: [cm('same', { a: '1' })] });
    expect(renderDiffMany(same)).toBe('');
    expect(renderDiffMany(same, { format: 'markdown' })).toContain('No differences.');
    const twice = diffMany({ desired: [cm('x', {}), cm('x', {})], live: [] });
    expect(renderDiffMany(twice)).toContain('error: ConfigMap/web/x: ConfigMap web/x is desired twice');
    const json = JSON.parse(renderDiffMany(twice, { format: 'json' })) as DiffManyJson;
    expect(json.items.find((i) => i.status === 'error')?.error?.code).toBe('DUPLICATE_RESOURCE');
  });
});
