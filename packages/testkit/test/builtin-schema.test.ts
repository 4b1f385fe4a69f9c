import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../src/index.js';

// Field validation of built-in kinds against the generated schema, the OpenAPI documents built from
// it, and label selectors (core's parser) as kube-apiserver checks them.

let cluster: TestCluster;

interface Reply {
  status: number;
  json: Record<string, unknown>;
  warnings: string[];
}

async function send(
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<Reply> {
  const res = await fetch(`${cluster.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': contentType },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const warnings = (res.headers.get('warning') ?? '').split(/,\s*(?=299 )/).filter((w) => w !== '');
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {}, warnings };
}

const deployments = '/apis/apps/v1/namespaces/default/deployments';

function deployment(
  name: string,
  spec: Record<string, unknown> = {},
  container: Record<string, unknown> = {},
) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'main', image: 'nginx:1.27', ...container }] },
      },
      ...spec,
    },
  };
}

beforeAll(async () => {
  cluster = await startTestCluster({ controllers: false });
});

afterAll(async () => {
  await cluster?.stop();
});

describe('fieldValidation of built-in kinds', () => {
  it('Strict rejects unknown fields with the strict decoding error, naming every one', async () => {
    const res = await send(
      'POST',
      `${deployments}?fieldValidation=Strict`,
      deployment('strict', { replicaz: 2 }, { imagePolicy: 'Always' }),
    );
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
    expect(res.json.message).toBe(
      // In the order of the document, as the decoder meets them (`replicaz` comes after `template`).
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: ' +
        'unknown field "spec.template.spec.containers[0].imagePolicy", unknown field "spec.replicaz"',
    );
    expect((await send('GET', `${deployments}/strict`)).status).toBe(404);
  });

  it('Warn (the default) drops unknown fields and says so in 299 Warning headers', async () => {
    for (const query of ['?fieldValidation=Warn', '']) {
      const name = `warn${query ? '-explicit' : '-default'}`;
      const res = await send('POST', `${deployments}${query}`, {
        ...deployment(name),
        metadata: { name, labelz: { a: 'b' } },
      });
      expect(res.status).toBe(201);
      expect(res.warnings).toEqual(['299 - "unknown field \\"metadata.labelz\\""']);
      expect((res.json.metadata as Record<string, unknown>).labelz).toBeUndefined();
    }
  });

  it('Ignore drops unknown fields silently; known maps keep any key', async () => {
    const res = await send('POST', `${deployments}?fieldValidation=Ignore`, {
      ...deployment('ignore', { bogus: true }),
      metadata: { name: 'ignore', annotations: { 'any/key': 'v' } },
    });
    expect(res.status).toBe(201);
    expect(res.warnings).toEqual([]);
    expect((res.json.spec as Record<string, unknown>).bogus).toBeUndefined();
    expect((res.json.metadata as Record<string, unknown>).annotations).toEqual({ 'any/key': 'v' });
  });

  it('checks unknown fields on update and on patches too', async () => {
    await send('POST', '/api/v1/namespaces/default/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm' },
      data: { a: '1' },
    });
    const patched = await send(
      'PATCH',
      '/api/v1/namespaces/default/configmaps/cm?fieldValidation=Strict',
      { datta: { b: '2' } },
      'application/merge-patch+json',
    );
    expect(patched.status).toBe(400);
    expect(patched.json.message).toBe(
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "datta"',
    );
  });

  it('rejects a value of the wrong type whatever fieldValidation says, as Go decoding words it', async () => {
    for (const query of ['?fieldValidation=Ignore', '']) {
      const res = await send('POST', `${deployments}${query}`, deployment('typed', { replicas: 'two' }));
      expect(res.status).toBe(400);
      expect(res.json.message).toBe(
        'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
      );
    }
    const env = await send(
      'POST',
      deployments,
      deployment('typed', {}, { env: [{ name: 'PORT', value: 8080 }] }),
    );
    expect(env.status).toBe(400);
    expect(env.json.message).toContain(
      'json: cannot unmarshal number into Go struct field EnvVar.spec.template.spec.containers.env.value of type string',
    );
  });

  it('decodes before it validates: a wrong type is 400 even when the name is invalid too', async () => {
    const cms = '/api/v1/namespaces/default/configmaps';
    const labels = await send('POST', cms, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'Bad_Name', labels: { a: 1 } },
    });
    expect(labels.status).toBe(400);
    expect(labels.json.message).toBe(
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string',
    );
    const meta = await send('POST', cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: 'oops' });
    expect(meta.json.message).toContain(
      'cannot unmarshal string into Go struct field ConfigMap.metadata of type v1.ObjectMeta',
    );
    const data = await send('POST', cms, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'd' },
      data: [],
    });
    expect(data.json.message).toContain(
      'cannot unmarshal array into Go struct field ConfigMap.data of type map[string]string',
    );
  });

  it('accepts what the real types accept: int-or-string, quantities as numbers, null, float-free integers', async () => {
    const res = await send(
      'POST',
      deployments,
      deployment(
        'flexible',
        {
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
          paused: null,
        },
        { resources: { limits: { cpu: 1, memory: '64Mi' } }, ports: [{ containerPort: 80 }] },
      ),
    );
    expect(res.status).toBe(201);
    expect(res.warnings).toEqual([]);
    const fractional = await send('POST', deployments, deployment('fractional', { replicas: 1.5 }));
    expect(fractional.status).toBe(400);
    expect(fractional.json.message).toContain('of type int32');
  });

  it('server-side apply fails on unknown fields and wrong types as structured-merge-diff reports them', async () => {
    const applied = deployment('ssa', { replicas: 'x' }, { imagePolicy: 'Always' });
    const res = await send(
      'PATCH',
      `${deployments}/ssa?fieldManager=me&fieldValidation=Strict`,
      applied,
      'application/apply-patch+yaml',
    );
    expect(res.status).toBe(500);
    expect(res.json.reason).toBeUndefined();
    expect(res.json.message).toBe(
      'failed to create typed patch object (default/ssa; apps/v1, Kind=Deployment): errors:\n' +
        '  .spec.template.spec.containers[name="main"].imagePolicy: field not declared in schema\n' +
        '  .spec.replicas: expected numeric (int or float), got string',
    );
    const ok = await send(
      'PATCH',
      `${deployments}/ssa?fieldManager=me`,
      deployment('ssa'),
      'application/apply-patch+yaml',
    );
    expect(ok.status).toBe(201);
  });
});

describe('OpenAPI v3 documents with schemas', () => {
  it('publishes built-in definitions with group-version-kind, types, formats and patch metadata', async () => {
    const root = await send('GET', '/openapi/v3');
    const paths = root.json.paths as Record<string, { serverRelativeURL: string }>;
    const apps = await send(
      'GET',
      (paths['apis/apps/v1'] as { serverRelativeURL: string }).serverRelativeURL,
    );
    const schemas = (apps.json.components as { schemas: Record<string, Record<string, unknown>> }).schemas;
    const dep = schemas['io.k8s.api.apps.v1.Deployment'] as Record<string, unknown>;
    expect(dep['x-kubernetes-group-version-kind']).toEqual([
      { group: 'apps', version: 'v1', kind: 'Deployment' },
    ]);
    const spec = schemas['io.k8s.api.apps.v1.DeploymentSpec'] as {
      properties: Record<string, Record<string, unknown>>;
      required: string[];
    };
    expect(spec.properties.replicas).toMatchObject({ type: 'integer', format: 'int32' });
    expect(String(spec.properties.replicas?.description)).toContain('Number of desired pods');
    expect(spec.required).toEqual(expect.arrayContaining(['selector', 'template']));
    const podSpec = schemas['io.k8s.api.core.v1.PodSpec'] as {
      properties: Record<string, Record<string, unknown>>;
    };
    expect(podSpec.properties.containers).toMatchObject({
      type: 'array',
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    });
    const meta = schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'] as {
      properties: Record<string, Record<string, unknown>>;
    };
    expect(meta.properties.labels).toMatchObject({
      type: 'object',
      additionalProperties: { type: 'string' },
    });
    // Every $ref resolves inside the document.
    const refs = [...JSON.stringify(apps.json).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(
      (m) => m[1] as string,
    );
    expect(refs.length).toBeGreaterThan(50);
    for (const r of refs) expect(Object.hasOwn(schemas, r), r).toBe(true);
  });

  it('publishes the schema of a CRD in its group version', async () => {
    await send('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        names: { kind: 'Widget', plural: 'widgets' },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: {
                    type: 'object',
                    properties: { size: { type: 'integer', description: 'How big.' } },
                  },
                },
              },
            },
          },
        ],
      },
    });
    const doc = await send('GET', '/openapi/v3/apis/example.com/v1');
    const schemas = (doc.json.components as { schemas: Record<string, Record<string, unknown>> }).schemas;
    expect(schemas['com.example.v1.Widget']).toMatchObject({
      'x-kubernetes-group-version-kind': [{ group: 'example.com', version: 'v1', kind: 'Widget' }],
      properties: { spec: { properties: { size: { type: 'integer', description: 'How big.' } } } },
    });
    expect(schemas).toHaveProperty(['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
  });
});

describe('label selectors', () => {
  it('answers an invalid list selector with 400 BadRequest worded as the server', async () => {
    const badKey = await send('GET', '/api/v1/namespaces/default/configmaps?labelSelector=-bad%3Dx');
    expect(badKey.status).toBe(400);
    expect(badKey.json).toMatchObject({ kind: 'Status', reason: 'BadRequest' });
    expect(String(badKey.json.message)).toMatch(/^unable to parse requirement: invalid label key "-bad"/);
    const syntax = await send('GET', '/api/v1/namespaces/default/configmaps?labelSelector=a%20in%20(');
    expect(syntax.status).toBe(400);
    const watch = await send(
      'GET',
      '/api/v1/namespaces/default/configmaps?watch=true&labelSelector=a%3D%3D%3D',
    );
    expect(watch.status).toBe(400);
  });

  it('filters with set-based and integer requirements', async () => {
    for (const [name, tier] of [
      ['s1', '1'],
      ['s2', '5'],
      ['s3', 'x'],
    ] as const)
      await send('POST', '/api/v1/namespaces/default/configmaps', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, labels: { sel: 'yes', tier } },
      });
    const names = async (selector: string): Promise<string[]> => {
      const res = await send(
        'GET',
        `/api/v1/namespaces/default/configmaps?labelSelector=${encodeURIComponent(selector)}`,
      );
      return (res.json.items as Array<{ metadata: { name: string } }>).map((i) => i.metadata.name);
    };
    expect(await names('sel=yes,tier>2')).toEqual(['s2']);
    expect(await names('sel,tier notin (1,5)')).toEqual(['s3']);
    expect(await names('sel==yes,!missing,tier in (1,x)')).toEqual(['s1', 's3']);
  });

  it('rejects an object whose selector has an unknown operator or misplaced values (422)', async () => {
    const res = await send(
      'POST',
      deployments,
      deployment('badsel', {
        selector: {
          matchLabels: { app: 'badsel' },
          matchExpressions: [
            { key: 'tier', operator: 'Near', values: ['a'] },
            { key: 'zone', operator: 'In' },
            { key: 'env', operator: 'Exists', values: ['x'] },
          ],
        },
      }),
    );
    expect(res.status).toBe(422);
    expect(res.json.reason).toBe('Invalid');
    const causes = (res.json.details as { causes: Array<{ field: string; message: string }> }).causes;
    expect(causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.selector.matchExpressions[0].operator',
        message: 'Invalid value: "Near": not a valid selector operator',
      },
      {
        reason: 'FieldValueRequired',
        field: 'spec.selector.matchExpressions[1].values',
        message: "Required value: must be specified when `operator` is 'In' or 'NotIn'",
      },
      {
        reason: 'FieldValueForbidden',
        field: 'spec.selector.matchExpressions[2].values',
        message: "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      },
    ]);
    expect(String(res.json.message)).toContain('Deployment.apps "badsel" is invalid');
  });

  it('checks selectors wherever the schema has one (a NetworkPolicy peer), and bad keys', async () => {
    const res = await send('POST', '/apis/networking.k8s.io/v1/namespaces/default/networkpolicies', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'np' },
      spec: {
        podSelector: { matchLabels: { 'bad key': 'x' } },
        ingress: [
          {
            from: [
              { namespaceSelector: { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] } },
            ],
          },
        ],
      },
    });
    expect(res.status).toBe(422);
    const fields = (res.json.details as { causes: Array<{ field: string }> }).causes.map((c) => c.field);
    expect(fields).toEqual([
      'spec.podSelector',
      'spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].operator',
    ]);
  });
});
