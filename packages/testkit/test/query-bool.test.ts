import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../src/index.js';
import { queryBool } from '../src/query-bool.js';

// Boolean query parameters as kube-apiserver reads them (apimachinery's Convert_Slice_string_To_bool):
// absent, `0` and `false` in any case are false; anything else is true.

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startTestCluster({ controllers: false, bookmarkIntervalMs: 20 });
  await cluster.client.create({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'q1', namespace: 'default' },
    data: { a: '1' },
  });
});
afterAll(async () => {
  await cluster?.stop();
});

/** The first line of the answer: a list's JSON, or a watch's first event. */
async function firstLine(path: string): Promise<Record<string, unknown>> {
  const controller = new AbortController();
  const res = await fetch(`${cluster.url}${path}`, { signal: controller.signal });
  expect(res.status).toBe(200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (value !== undefined) buffer += decoder.decode(value, { stream: true });
    const nl = buffer.indexOf('\n');
    if (nl >= 0 && res.headers.get('transfer-encoding') === 'chunked' && buffer.startsWith('{"type"')) {
      controller.abort();
      return JSON.parse(buffer.slice(0, nl));
    }
    if (done) return JSON.parse(buffer);
  }
}

describe('boolean query parameters', () => {
  it('reads absent, 0 and false in any case as false, anything else as true', () => {
    const q = (s: string) => new URLSearchParams(s);
    expect(queryBool(q(''), 'watch')).toBeUndefined();
    for (const no of ['0', 'false', 'False', 'FALSE', 'fAlSe'])
      expect(queryBool(q(`watch=${no}`), 'watch'), no).toBe(false);
    for (const yes of ['1', 't', 'T', 'true', 'True', 'TRUE', 'yes', ''])
      expect(queryBool(q(`watch=${yes}`), 'watch'), yes).toBe(true);
  });

  for (const value of ['True', 'T', '1', 'TRUE']) {
    it(`watches with watch=${value}`, async () => {
      const first = await firstLine(`/api/v1/namespaces/default/configmaps?watch=${value}`);
      expect(first).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'q1' } } });
    });
  }

  for (const value of ['False', '0', 'FALSE']) {
    it(`lists with watch=${value}`, async () => {
      const first = await firstLine(`/api/v1/namespaces/default/configmaps?watch=${value}`);
      expect(first).toMatchObject({ kind: 'ConfigMapList' });
    });
  }

  it('reads force=True on an apply patch as force', async () => {
    const apply = (manager: string, force: string) =>
      fetch(
        `${cluster.url}/api/v1/namespaces/default/configmaps/q1?fieldManager=${manager}${force === '' ? '' : `&force=${force}`}`,
        {
          method: 'PATCH',
          headers: { 'content-type': 'application/apply-patch+yaml' },
          body: JSON.stringify({
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'q1', namespace: 'default' },
            data: { a: manager },
          }),
        },
      );
    expect((await apply('one', '')).status).toBe(200);
    expect((await apply('two', '')).status).toBe(409);
    expect((await apply('two', 'False')).status).toBe(409);
    expect((await apply('two', 'True')).status).toBe(200);
  });
});
