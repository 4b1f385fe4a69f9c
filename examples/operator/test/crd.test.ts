import { readFileSync } from 'node:fs';
import { isJsonObject, type JsonValue, type KubeObject, parseYaml, ValidationError } from '@gitops-kit/core';
import type { TestCluster } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applicationCrd,
  CRD_FILE_HEADER,
  parseApplication,
  renderApplicationCrdYaml,
  toStructuralSchema,
} from '../src/index.js';
import { startApplicationCluster } from './harness.js';

const fixture = (name: string) =>
  parseYaml(readFileSync(new URL(`./fixtures/applications/${name}`, import.meta.url), 'utf8')) as KubeObject;

function walk(
  node: JsonValue,
  path: string,
  visit: (node: Record<string, JsonValue>, path: string) => void,
): void {
  if (!isJsonObject(node)) return;
  visit(node, path);
  if (isJsonObject(node.properties)) {
    for (const [k, v] of Object.entries(node.properties)) walk(v, `${path}.${k}`, visit);
  }
  if (node.items !== undefined) walk(node.items, `${path}[]`, visit);
  if (isJsonObject(node.additionalProperties)) walk(node.additionalProperties, `${path}.*`, visit);
}

describe('Application CRD', () => {
  it('deploy/crd.yaml is the generator output (run generate:crd after changing the schema)', () => {
    // Biome formats the committed YAML, so compare what it says, and the header.
    const committed = readFileSync(new URL('../deploy/crd.yaml', import.meta.url), 'utf8');
    expect(committed.startsWith(CRD_FILE_HEADER)).toBe(true);
    expect(parseYaml(committed)).toEqual(parseYaml(renderApplicationCrdYaml()));
    expect(parseYaml(committed)).toEqual(applicationCrd());
  });

  it('is a structural schema: a type on every node, no $ref, anyOf, const or propertyNames', () => {
    const crd = applicationCrd() as { spec: { versions: { schema: { openAPIV3Schema: JsonValue } }[] } };
    const root = crd.spec.versions[0]!.schema.openAPIV3Schema;
    const problems: string[] = [];
    let nodes = 0;
    walk(root, '', (node, path) => {
      nodes++;
      if (typeof node.type !== 'string') problems.push(`${path}: no type`);
      for (const k of ['$ref', '$schema', 'anyOf', 'oneOf', 'allOf', 'const', 'propertyNames', '$defs']) {
        if (k in node) problems.push(`${path}: ${k}`);
      }
      if ('properties' in node && 'additionalProperties' in node)
        problems.push(`${path}: both properties kinds`);
    });
    expect(problems).toEqual([]);
    expect(nodes).toBeGreaterThan(50);
  });

  it('covers the fields of the issue', () => {
    const yaml = renderApplicationCrdYaml();
    const schema = parseYaml(yaml.split('\n').slice(1).join('\n')) as Record<string, JsonValue>;
    const root = (schema as { spec: { versions: { schema: { openAPIV3Schema: JsonValue } }[] } }).spec
      .versions[0]!.schema.openAPIV3Schema;
    const paths = new Set<string>();
    walk(root, '', (_n, p) => paths.add(p));
    for (const p of [
      '.spec.source.repoURL',
      '.spec.source.targetRevision',
      '.spec.source.kustomize.images',
      '.spec.source.kustomize.namePrefix',
      '.spec.source.directory.recurse',
      '.spec.destination.server',
      '.spec.destination.name',
      '.spec.destination.namespace',
      '.spec.syncPolicy.automated.prune',
      '.spec.syncPolicy.automated.selfHeal',
      '.spec.syncPolicy.automated.allowEmpty',
      '.spec.syncPolicy.syncOptions',
      '.spec.syncPolicy.retry.backoff.maxDuration',
      '.spec.ignoreDifferences[].jqPathExpressions',
      '.status.sync.status',
      '.status.sync.revision',
      '.status.health.status',
      '.status.resources[].health.status',
      '.status.conditions[].observedGeneration',
      '.status.operationState.phase',
      '.status.operationState.finishedAt',
      '.status.history[].deployedAt',
      '.status.history[].source.repoURL',
      '.operation.sync.revision',
      '.operation.sync.dryRun',
      '.operation.rollback.id',
      '.operation.refresh',
    ]) {
      expect(paths, p).toContain(p);
    }
  });

  it('refuses constructs that have no structural form, naming the field', () => {
    expect(() =>
      toStructuralSchema({ type: 'object', properties: { a: { anyOf: [{ type: 'string' }] } } }),
    ).toThrow(ValidationError);
    try {
      toStructuralSchema({ type: 'object', properties: { a: { $ref: '#/x' } } });
      expect.unreachable();
    } catch (err) {
      expect((err as ValidationError).path).toBe('.a');
    }
    expect(toStructuralSchema({ type: 'object', additionalProperties: {} })).toEqual({
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
    });
  });
});

describe('parseApplication', () => {
  it('accepts the sample Applications', () => {
    const dev = parseApplication(fixture('guestbook-dev.yaml'));
    expect(dev.spec.syncPolicy?.automated?.selfHeal).toBe(true);
    expect(dev.spec.source.kustomize?.images).toEqual(['nginx=nginx:1.27.3']);
    const plain = parseApplication(fixture('plain-with-status.yaml'));
    expect(plain.status?.history?.map((h) => h.id)).toEqual([0, 1]);
    expect(plain.operation?.rollback?.id).toBe(1);
  });

  it('rejects a missing repoURL with the field path', () => {
    const app = fixture('guestbook-dev.yaml') as { spec: { source: Record<string, unknown> } } & KubeObject;
    delete app.spec.source.repoURL;
    expect(() => parseApplication(app)).toThrow(/repoURL|expected string/);
    try {
      parseApplication(app, 'app.yaml');
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).path).toBe('spec.source.repoURL');
      expect((err as ValidationError).file).toBe('app.yaml');
    }
  });

  it('takes an OCI source in place of a Git one, exactly one of them', () => {
    const base = fixture('guestbook-dev.yaml') as KubeObject & { spec: { source: Record<string, unknown> } };
    const withSource = (source: Record<string, unknown>) => ({ ...base, spec: { ...base.spec, source } });
    const oci = { url: 'oci://ghcr.io/org/deploy', ref: { semver: '^1.0.0' } };
    const parsed = parseApplication(withSource({ oci, path: 'app' }));
    expect(parsed.spec.source.oci).toEqual(oci);
    expect(parsed.spec.source.repoURL).toBeUndefined();
    const pathOf = (source: Record<string, unknown>) => {
      try {
        parseApplication(withSource(source));
      } catch (err) {
        expect(err).toBeInstanceOf(ValidationError);
        return (err as ValidationError).path;
      }
      return 'accepted';
    };
    expect(pathOf({ oci, repoURL: 'https://git.example.test/x' })).toBe('spec.source.repoURL');
    expect(pathOf({ path: 'app' })).toBe('spec.source.repoURL');
    expect(pathOf({ oci, targetRevision: 'main' })).toBe('spec.source.targetRevision');
    expect(pathOf({ oci: { url: 'https://ghcr.io/org/deploy' } })).toBe('spec.source.oci.url');
    expect(pathOf({ oci: { url: 'oci://ghcr.io/org/deploy', ref: { digest: 'sha256:00' } } })).toBe(
      'spec.source.oci.ref.digest',
    );
    expect(pathOf({ oci: { url: 'oci://ghcr.io/org/deploy', ref: { tag: 'v1' }, insecure: true } })).toBe(
      'accepted',
    );
  });

  it('rejects both destination.server and destination.name, two operations at once, bad durations', () => {
    const base = fixture('guestbook-dev.yaml') as KubeObject & { spec: Record<string, unknown> };
    expect(() =>
      parseApplication({ ...base, spec: { ...base.spec, destination: { server: 'https://x', name: 'y' } } }),
    ).toThrow(/not both/);
    expect(() => parseApplication({ ...base, operation: { sync: {}, refresh: 'normal' } })).toThrow(
      /exactly one/,
    );
    const bad = structuredClone(base) as unknown as {
      spec: { syncPolicy: { retry: { backoff: { duration: string } } } };
    };
    bad.spec.syncPolicy.retry.backoff.duration = 'five seconds';
    expect(() => parseApplication(bad)).toThrow(ValidationError);
    expect(() => parseApplication({ ...base, status: { sync: { status: 'Great' } } })).toThrow(
      ValidationError,
    );
  });
});

describe('decryption and postBuild in the spec', () => {
  const base = () => fixture('guestbook-dev.yaml') as KubeObject & { spec: Record<string, unknown> };

  it('accepts Flux-shaped fields and refuses a provider, variable name or kind Flux refuses', () => {
    const app = base();
    const good = parseApplication({
      ...app,
      spec: {
        ...app.spec,
        decryption: { provider: 'sops', secretRef: { name: 'sops-keys' } },
        postBuild: {
          substitute: { cluster_name: 'edge', _x1: 'y' },
          substituteFrom: [
            { kind: 'ConfigMap', name: 'vars', optional: true },
            { kind: 'Secret', name: 's' },
          ],
          strict: true,
        },
      },
    });
    expect(good.spec.postBuild?.substituteFrom?.[0]?.optional).toBe(true);
    const refused = (spec: Record<string, unknown>) => {
      try {
        parseApplication({ ...app, spec: { ...app.spec, ...spec } });
      } catch (err) {
        return err as ValidationError;
      }
      throw new Error('accepted');
    };
    expect(refused({ decryption: { provider: 'vault' } }).path).toBe('spec.decryption.provider');
    expect(refused({ postBuild: { substitute: { 'cluster-name': 'x' } } }).path).toBe(
      'spec.postBuild.substitute',
    );
    expect(refused({ postBuild: { substituteFrom: [{ kind: 'Pod', name: 'x' }] } }).path).toBe(
      'spec.postBuild.substituteFrom[0].kind',
    );
  });
});

describe('Application CRD on an API server (testkit)', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startApplicationCluster({ controllers: false });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('is accepted, and serves the sample Applications', async () => {
    const app = fixture('guestbook-dev.yaml');
    await cluster.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gitops-kit' } });
    const created = await cluster.client.create(app);
    expect(created.metadata.uid).toBeTruthy();
    expect((created.spec as { source: { path: string } }).source.path).toBe('dev');
  });

  it('rejects an Application the schema rejects', async () => {
    // testkit checks types and required fields, not CEL rules (the exactly-one rule of a source).
    const app = fixture('guestbook-dev.yaml') as KubeObject & { spec: Record<string, unknown> };
    app.metadata.name = 'no-source';
    delete app.spec.source;
    await expect(cluster.client.create(app)).rejects.toMatchObject({ code: 'INVALID' });
  });
});
