import { describe, expect, it } from 'vitest';
import {
  apiVersionOfKey,
  describeObjectKey,
  formatObjectKey,
  groupKindKey,
  type ObjectKey,
  objectKeyOf,
  parseObjectKey,
  sameObject,
  ValidationError,
} from '../src/index.js';
import { pick, mulberry32 as prng } from './random.js';

function dnsLabel(rand: () => number): string {
  const chars = 'abcdefghijklmnopqrstuvwxyz0123456789-';
  const length = 1 + Math.floor(rand() * 20);
  let s = pick(rand, [...'abcdefghijklmnopqrstuvwxyz']);
  for (let i = 1; i < length; i++) s += pick(rand, [...chars]);
  return s.replace(/-+$/, '') || 'a';
}

/** Keys as they occur: core and named groups, cluster-scoped and namespaced, dotted names. */
function randomKey(rand: () => number): ObjectKey {
  const group =
    rand() < 0.3 ? '' : Array.from({ length: 1 + Math.floor(rand() * 3) }, () => dnsLabel(rand)).join('.');
  const version = pick(rand, ['v1', 'v1beta1', 'v2alpha3', 'v1beta2']);
  const kind = pick(rand, [
    'Deployment',
    'ConfigMap',
    'Namespace',
    'CustomResourceDefinition',
    'X',
    'HelmRelease',
  ]);
  const namespace = rand() < 0.3 ? '' : dnsLabel(rand);
  const name = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => dnsLabel(rand)).join(
    pick(rand, ['.', '-', ':']),
  );
  return { group, version, kind, namespace, name };
}

describe('ObjectKey string form', () => {
  it('round trips many generated keys, and distinct keys give distinct strings', () => {
    const rand = prng(42);
    const seen = new Map<string, ObjectKey>();
    for (let i = 0; i < 2000; i++) {
      const key = randomKey(rand);
      const text = formatObjectKey(key);
      expect(parseObjectKey(text)).toEqual(key);
      expect(formatObjectKey(parseObjectKey(text))).toBe(text);
      const previous = seen.get(text);
      if (previous) expect(previous).toEqual(key);
      seen.set(text, key);
    }
    expect(seen.size).toBeGreaterThan(1900);
  });

  it('writes ~ for the core group and for cluster scope', () => {
    expect(
      formatObjectKey({ group: '', version: 'v1', kind: 'Namespace', namespace: '', name: 'prod' }),
    ).toBe('~/v1/Namespace/~/prod');
    expect(
      formatObjectKey({
        group: 'apps',
        version: 'v1',
        kind: 'Deployment',
        namespace: 'default',
        name: 'web',
      }),
    ).toBe('apps/v1/Deployment/default/web');
  });

  it('refuses strings that are not keys', () => {
    for (const bad of ['', 'a/b/c', 'apps/v1/Deployment/default/', 'a/b/c/d/e/f', '/v1/Pod/ns/x']) {
      expect(() => parseObjectKey(bad), bad).toThrow(ValidationError);
    }
  });
});

describe('ObjectKey helpers', () => {
  const web: ObjectKey = {
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    namespace: 'default',
    name: 'web',
  };

  it('reads the key of an object, defaulting the namespace', () => {
    const obj = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } };
    expect(objectKeyOf(obj, 'default')).toEqual(web);
    expect(objectKeyOf({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod' } })).toEqual({
      group: '',
      version: 'v1',
      kind: 'Namespace',
      namespace: '',
      name: 'prod',
    });
  });

  it('matches objects across versions of their group', () => {
    const beta = { ...web, version: 'v1beta2' };
    expect(sameObject(web, beta)).toBe(true);
    expect(groupKindKey(web)).toBe(groupKindKey(beta));
    expect(sameObject(web, { ...web, namespace: 'other' })).toBe(false);
    expect(apiVersionOfKey(web)).toBe('apps/v1');
    expect(apiVersionOfKey({ ...web, group: '' })).toBe('v1');
    expect(describeObjectKey(web)).toBe('Deployment/default/web');
    expect(describeObjectKey({ ...web, namespace: '' })).toBe('Deployment/web');
  });
});
