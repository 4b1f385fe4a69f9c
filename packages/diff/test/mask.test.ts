import type { KubeObject } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { hideSecretData, isSecret } from '../src/index.js';

// Argo CD's masking rules (util/diff HideSecretData): each data value becomes `+`s, eight for the
// first distinct value of a key, four more for each further one, counted in the order desired, live,
// live's last-applied; the last-applied annotation is rewritten (Go's JSON: sorted keys) with its
// own values masked the same way.
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const M1 = '++++++++';
const M2 = '++++++++++++';
const M3 = '++++++++++++++++';

const secret = (data?: Record<string, unknown>, extra: Record<string, unknown> = {}): KubeObject =>
  ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's', namespace: 'ns' },
    ...(data === undefined ? {} : { data }),
    ...extra,
  }) as KubeObject;

describe('isSecret', () => {
  it('is a core-group Secret only', () => {
    expect(isSecret(secret({}))).toBe(true);
    expect(isSecret({ ...secret({}), apiVersion: undefined } as unknown as KubeObject)).toBe(true);
    expect(isSecret({ ...secret({}), apiVersion: 'example.com/v1' })).toBe(false);
    expect(isSecret({ ...secret({}), kind: 'ConfigMap' })).toBe(false);
    expect(isSecret({ ...secret({}), kind: 7 } as unknown as KubeObject)).toBe(false);
    expect(isSecret(null)).toBe(false);
    expect(isSecret(undefined)).toBe(false);
  });
});

describe('hideSecretData', () => {
  it('masks per key, in the order desired, live, last-applied', () => {
    const last = secret({ a: 'MQ==', c: 'Nw==' });
    const live = secret({ a: 'Mg==', b: 'MQ==', c: 'OA==' });
    live.metadata.annotations = { [LAST_APPLIED]: JSON.stringify(last) };
    const target = secret({ a: 'MQ==' });
    const masked = hideSecretData(target, live);
    expect(masked.target?.data).toEqual({ a: M1 });
    // b is new in live: its first value; a differs from desired; c first seen in live.
    expect(masked.live?.data).toEqual({ a: M2, b: M1, c: M1 });
    // Last-applied: a equals desired's value again; c is a second distinct value of c.
    expect(masked.live?.metadata.annotations?.[LAST_APPLIED]).toBe(
      `{"apiVersion":"v1","data":{"a":"${M1}","c":"${M2}"},"kind":"Secret","metadata":{"name":"s","namespace":"ns"}}`,
    );
  });

  it('counts three distinct values of a key', () => {
    const live = secret({ k: 'Mg==' });
    live.metadata.annotations = { [LAST_APPLIED]: JSON.stringify(secret({ k: 'Mw==' })) };
    const masked = hideSecretData(secret({ k: 'MQ==' }), live);
    expect(masked.live?.data).toEqual({ k: M2 });
    expect(JSON.parse(masked.live?.metadata.annotations?.[LAST_APPLIED] as string).data).toEqual({ k: M3 });
  });

  it('compares values as text: null is the empty string, others their JSON', () => {
    const masked = hideSecretData(secret({ a: null, b: 1, c: '1' }), secret({ a: '', b: '1', c: 1 }));
    expect(masked.target?.data).toEqual({ a: M1, b: M1, c: M1 });
    expect(masked.live?.data).toEqual({ a: M1, b: M1, c: M1 });
    const other = hideSecretData(secret({ a: { x: 1 } }), secret({ a: '{"x":1}' }));
    expect(other.live?.data).toEqual({ a: M1 });
    const differ = hideSecretData(secret({ a: null }), secret({ a: 'null' }));
    expect(differ.live?.data).toEqual({ a: M2 });
  });

  it('folds stringData in, and drops an empty data map', () => {
    const masked = hideSecretData(secret({}, { stringData: { t: 'x' } }), secret({}));
    expect(masked.target).toEqual(secret({ t: M1 }));
    expect(masked.live).toEqual(secret());
    expect(masked.live).not.toHaveProperty('data');
  });

  it('masks only the annotations asked for, across the objects', () => {
    const target = secret({}, {});
    target.metadata.annotations = { note: 'one', keep: 'seen' };
    const live = secret({});
    live.metadata.annotations = { note: 'two', keep: 'seen too' };
    const masked = hideSecretData(target, live, { hideAnnotations: ['note', 'absent'] });
    expect(masked.target?.metadata.annotations).toEqual({ note: M1, keep: 'seen' });
    expect(masked.live?.metadata.annotations).toEqual({ note: M2, keep: 'seen too' });
    const none = hideSecretData(target, live, { hideAnnotations: null });
    expect(none.target?.metadata.annotations).toEqual(target.metadata.annotations);
    const empty = hideSecretData(target, live, { hideAnnotations: [] });
    expect(empty.live?.metadata.annotations).toEqual(live.metadata.annotations);
  });

  it('masks the last-applied annotation whole when it is listed, or when it is not a JSON object', () => {
    const live = secret({ a: 'MQ==' });
    live.metadata.annotations = { [LAST_APPLIED]: JSON.stringify(secret({ a: 'Mg==' })) };
    const whole = hideSecretData(null, live, { hideAnnotations: [LAST_APPLIED] });
    expect(whole.live?.metadata.annotations).toEqual({ [LAST_APPLIED]: M1 });
    expect(whole.live?.data).toEqual({ a: M1 });
    for (const bad of ['not json', '[1,2]', '"text"', 'null']) {
      const l = secret({ a: 'MQ==' });
      l.metadata.annotations = { [LAST_APPLIED]: bad, other: 'x' };
      expect(hideSecretData(null, l).live?.metadata.annotations, bad).toEqual({
        [LAST_APPLIED]: M1,
        other: 'x',
      });
    }
    // A last-applied annotation that is not a string is left as it is.
    const odd = secret({});
    odd.metadata.annotations = { [LAST_APPLIED]: 5 } as unknown as Record<string, string>;
    expect(hideSecretData(null, odd).live?.metadata.annotations).toEqual({ [LAST_APPLIED]: 5 });
  });

  it("rewrites last-applied with Go's sorted keys at every depth, lists in order", () => {
    const last = {
      metadata: { namespace: 'ns', name: 's', finalizers: ['z', 'a'] },
      kind: 'Secret',
      data: { b: 'MQ==', a: 'MQ==' },
      apiVersion: 'v1',
      type: 'Opaque',
    };
    const live = secret({});
    live.metadata.annotations = { [LAST_APPLIED]: JSON.stringify(last) };
    expect(hideSecretData(null, live).live?.metadata.annotations?.[LAST_APPLIED]).toBe(
      `{"apiVersion":"v1","data":{"a":"${M1}","b":"${M1}"},"kind":"Secret","metadata":{"finalizers":["z","a"],"name":"s","namespace":"ns"},"type":"Opaque"}`,
    );
  });

  it('masks when only one side is a Secret, and returns copies, never its inputs', () => {
    const target = secret({ a: 'MQ==' });
    const before = structuredClone(target);
    const masked = hideSecretData(target, undefined);
    expect(masked).toEqual({ target: secret({ a: M1 }), live: null });
    expect(target).toEqual(before);
    const liveOnly = hideSecretData(null, target);
    expect(liveOnly).toEqual({ target: null, live: secret({ a: M1 }) });

    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c' },
      data: { a: 'b' },
    } as KubeObject;
    const plain = hideSecretData(cm, cm);
    expect(plain).toEqual({ target: cm, live: cm });
    expect(plain.target).not.toBe(cm);
    expect(plain.live).not.toBe(cm);
    expect(hideSecretData(undefined, null)).toEqual({ target: null, live: null });
    expect(hideSecretData(cm, null)).toEqual({ target: cm, live: null });
    expect(hideSecretData(null, cm)).toEqual({ target: null, live: cm });
  });
});

describe('hideSecretData on sparse objects', () => {
  it('a null annotation value reads as the empty string', () => {
    const target = secret({});
    target.metadata.annotations = { note: null } as unknown as Record<string, string>;
    const live = secret({});
    live.metadata.annotations = { note: '' };
    const masked = hideSecretData(target, live, { hideAnnotations: ['note'] });
    expect(masked.live?.metadata.annotations).toEqual({ note: M1 });
    live.metadata.annotations = { note: 'null' };
    expect(hideSecretData(target, live, { hideAnnotations: ['note'] }).live?.metadata.annotations).toEqual({
      note: M2,
    });
  });

  it('a Secret without metadata is masked, not a TypeError', () => {
    const bare = { apiVersion: 'v1', kind: 'Secret', data: { a: 'MQ==' } } as unknown as KubeObject;
    const masked = hideSecretData(bare, bare, { hideAnnotations: ['note'] });
    expect(masked.target).toEqual({ apiVersion: 'v1', kind: 'Secret', data: { a: M1 } });
    expect(masked.live).toEqual({ apiVersion: 'v1', kind: 'Secret', data: { a: M1 } });
    expect(hideSecretData(null, bare).live).toEqual({ apiVersion: 'v1', kind: 'Secret', data: { a: M1 } });
  });
});
