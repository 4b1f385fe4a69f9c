import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../src/index.js';

// Bad requests get the 4xx Status the real server gives, never a 500 from an exception.

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ controllers: false, maxBodyBytes: 64 * 1024 });
});
afterAll(async () => {
  await cluster?.stop();
});

async function send(
  method: string,
  path: string,
  body?: string,
  contentType = 'application/json',
): Promise<{ status: number; json: Record<string, unknown> }> {
  const init: RequestInit = { method, headers: { 'Content-Type': contentType } };
  if (body !== undefined) init.body = body;
  const res = await fetch(`${cluster.url}${path}`, init);
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const cms = '/api/v1/namespaces/default/configmaps';

describe('bad input', () => {
  it.each([
    ['malformed JSON', 'POST', cms, '{"apiVersion": "v1",', 'application/json', 400],
    ['a body that is not an object', 'POST', cms, '[1,2]', 'application/json', 400],
    [
      'a kind that does not match the URL',
      'POST',
      cms,
      '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"}}',
      'application/json',
      400,
    ],
    [
      'a namespace that does not match the URL',
      'POST',
      cms,
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"other"}}',
      'application/json',
      400,
    ],
    [
      'a resourceVersion on create',
      'POST',
      cms,
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","resourceVersion":"5"}}',
      'application/json',
      400,
    ],
    [
      'a missing name',
      'POST',
      cms,
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{}}',
      'application/json',
      422,
    ],
    [
      'an invalid label value',
      'POST',
      cms,
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","labels":{"a":"not valid!"}}}',
      'application/json',
      422,
    ],
    [
      'an unknown dryRun value',
      'POST',
      `${cms}?dryRun=Some`,
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}',
      'application/json',
      400,
    ],
    [
      'an unknown fieldValidation value',
      'POST',
      `${cms}?fieldValidation=Loose`,
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}',
      'application/json',
      400,
    ],
    [
      'an apply without fieldManager',
      'PATCH',
      `${cms}/x`,
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}',
      'application/apply-patch+yaml',
      400,
    ],
    [
      'an apply with malformed YAML',
      'PATCH',
      `${cms}/x?fieldManager=m`,
      'a: [1, 2',
      'application/apply-patch+yaml',
      400,
    ],
    ['an unknown patch type', 'PATCH', `${cms}/x`, '{}', 'text/plain', 415],
    [
      'a protobuf body of an unsupported kind',
      'POST',
      cms,
      'k8s\u0000garbage',
      'application/vnd.kubernetes.protobuf',
      415,
    ],
    [
      'a JSON patch that is not a list',
      'PATCH',
      `${cms}/present`,
      '{"op":"add"}',
      'application/json-patch+json',
      422,
    ],
    [
      'a JSON patch with an unknown op',
      'PATCH',
      `${cms}/present`,
      '[{"op":"jump","path":"/a"}]',
      'application/json-patch+json',
      422,
    ],
    [
      'a body over the size limit',
      'POST',
      cms,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'big' },
        data: { a: 'x'.repeat(70 * 1024) },
      }),
      'application/json',
      413,
    ],
    [
      'an invalid propagation policy',
      'DELETE',
      `${cms}/present?propagationPolicy=Sideways`,
      undefined,
      'application/json',
      400,
    ],
    ['an unknown subresource', 'GET', `${cms}/present/exec`, undefined, 'application/json', 404],
    ['an unknown resource', 'GET', '/api/v1/namespaces/default/widgets', undefined, 'application/json', 404],
    ['a malformed path', 'GET', '/api/v1/namespaces/%E0%A4%A/configmaps', undefined, 'application/json', 400],
    [
      'a malformed label selector',
      'GET',
      `${cms}?labelSelector=a%20in%20(`,
      undefined,
      'application/json',
      400,
    ],
    [
      'a malformed continue token',
      'GET',
      `${cms}?limit=1&continue=%25%25%25`,
      undefined,
      'application/json',
      400,
    ],
  ])('answers %s with a Status', async (_what, method, path, body, contentType, code) => {
    await send('POST', cms, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"present"}}');
    const res = await send(method, path, body, contentType);
    expect(res.status).toBe(code);
    expect(res.json).toMatchObject({ kind: 'Status', status: 'Failure', code });
    expect(String(res.json.message)).not.toMatch(/Internal error|TypeError|Cannot read/);
  });
});
