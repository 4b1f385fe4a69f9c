import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type ConfigMap,
  type Deployment,
  deepCopyJson,
  isConfigMap,
  isCustomResourceDefinition,
  isDaemonSet,
  isDeployment,
  isKind,
  isNamespace,
  isSecret,
  isService,
  isStatefulSet,
  type KubeObject,
  MissingNameError,
  type ObjectRef,
  refOf,
  ValidationError,
} from '../src/index.js';

const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'prod', labels: { app: 'web' } },
  spec: { replicas: 3, template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
  status: { readyReplicas: 2, conditions: [{ type: 'Available', status: 'True' }] },
};

describe('KubeObject<Spec, Status>', () => {
  it('types spec and status, and stays plain JSON', () => {
    interface CertSpec {
      secretName: string;
      dnsNames?: string[];
    }
    const cert: KubeObject<CertSpec, { ready?: boolean }> = {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'tls' },
      spec: { secretName: 'tls' },
    };
    expectTypeOf(cert.spec).toEqualTypeOf<CertSpec | undefined>();
    expect(cert.spec?.secretName).toBe('tls');
    expect(JSON.parse(JSON.stringify(cert))).toEqual(cert);
    // Untyped objects still take any field: existing code keeps compiling.
    const any: KubeObject = { apiVersion: 'v1', kind: 'X', metadata: {}, spec: 1, extra: [1] };
    expectTypeOf(any.spec).toEqualTypeOf<unknown>();
  });

  it('deepCopyJson accepts a KubeObject, typed or not, and a list of them', () => {
    const copy = deepCopyJson(deployment);
    expectTypeOf(copy).toEqualTypeOf<KubeObject>();
    expect(copy).toEqual(deployment);
    expect(copy.metadata).not.toBe(deployment.metadata);
    if (!isDeployment(deployment)) throw new Error('not a Deployment');
    const typed: Deployment = deepCopyJson(deployment);
    expect(typed.spec?.replicas).toBe(3);
    const list = deepCopyJson([deployment]);
    expect(list[0]).toEqual(deployment);
    expect(deepCopyJson({ a: [1, 'x', null] })).toEqual({ a: [1, 'x', null] });
  });
});

describe('narrowing helpers', () => {
  it('narrow by API group and kind, any version', () => {
    const obj: KubeObject = deployment;
    if (isDeployment(obj)) {
      // No cast: the spec, its template and the status are typed.
      expectTypeOf(obj.spec?.replicas).toEqualTypeOf<number | undefined>();
      expect(obj.spec?.replicas).toBe(3);
      expect(obj.spec?.template?.spec?.containers[0]?.image).toBe('nginx:1.27');
      expect(obj.status?.conditions?.[0]?.type).toBe('Available');
    } else {
      throw new Error('not narrowed');
    }
    expect(isDeployment({ ...deployment, apiVersion: 'apps/v1beta2' })).toBe(true);
    expect(isDeployment({ ...deployment, apiVersion: 'example.com/v1' })).toBe(false);
    expect(isDeployment('Deployment')).toBe(false);
    expect(isDeployment(null)).toBe(false);
  });

  it('cover the common kinds', () => {
    const of = (apiVersion: string, kind: string): KubeObject => ({
      apiVersion,
      kind,
      metadata: { name: 'x' },
    });
    expect(isStatefulSet(of('apps/v1', 'StatefulSet'))).toBe(true);
    expect(isDaemonSet(of('apps/v1', 'DaemonSet'))).toBe(true);
    expect(isService(of('v1', 'Service'))).toBe(true);
    expect(isService(of('serving.knative.dev/v1', 'Service'))).toBe(false);
    expect(isSecret(of('v1', 'Secret'))).toBe(true);
    expect(isNamespace(of('v1', 'Namespace'))).toBe(true);
    expect(isCustomResourceDefinition(of('apiextensions.k8s.io/v1', 'CustomResourceDefinition'))).toBe(true);
    const cm: unknown = { ...of('v1', 'ConfigMap'), data: { a: '1' } };
    if (!isConfigMap(cm)) throw new Error('not narrowed');
    expectTypeOf(cm).toEqualTypeOf<ConfigMap>();
    expect(cm.data?.a).toBe('1');
  });

  it('isKind narrows to a type of your own', () => {
    type Certificate = KubeObject<{ secretName: string }>;
    const obj: unknown = {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: {},
      spec: { secretName: 's' },
    };
    if (!isKind<Certificate>(obj, 'cert-manager.io', 'Certificate')) throw new Error('not narrowed');
    expect(obj.spec?.secretName).toBe('s');
    expect(isKind(obj, 'cert-manager.io', 'Issuer')).toBe(false);
  });
});

describe('refOf', () => {
  it('builds an ObjectRef without metadata.name!', () => {
    const ref: ObjectRef = refOf(deployment);
    expect(ref).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'prod', name: 'web' });
    expect(refOf({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod' } })).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      name: 'prod',
    });
  });

  it('throws a typed error for an object without a name', () => {
    const err = (() => {
      try {
        refOf({ apiVersion: 'batch/v1', kind: 'Job', metadata: { generateName: 'migrate-' } });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(MissingNameError);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ code: 'VALIDATION_ERROR', path: 'metadata.name' });
    expect((err as Error).message).toContain('generateName "migrate-"');
    expect(() => refOf({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} })).toThrow(MissingNameError);
  });
});
