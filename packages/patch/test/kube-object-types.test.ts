import type { Deployment, JsonObject, JsonValue, KubeObject } from '@gitops-kit/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  applyJsonPatch,
  applyKustomizePatch,
  applyMergePatch,
  applyStrategicMergePatch,
  createMergePatch,
  createThreeWayJsonMergePatch,
  createThreeWayMergePatch,
  createTwoWayMergePatch,
} from '../src/index.js';

// Issue 16 item 4: core's KubeObject (typed or not) is plain JSON, but its open fields are typed
// `unknown`, so it was no `JsonObject` and every call needed a cast. It goes in as it is now, and a
// function that returns the patched object returns the type it was given.
const deployment: Deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          { name: 'web', image: 'web:1' },
          { name: 'log', image: 'log:1' },
        ],
      },
    },
  },
};
const untyped: KubeObject = { ...deployment };
const imagePatch = { spec: { template: { spec: { containers: [{ name: 'web', image: 'web:2' }] } } } };

describe('the patch functions take KubeObjects', () => {
  it('applyStrategicMergePatch: a Deployment in, a Deployment out', () => {
    const out = applyStrategicMergePatch(deployment, imagePatch);
    expectTypeOf(out).toEqualTypeOf<Deployment>();
    expect(out.spec?.template?.spec?.containers.map((c) => c.image)).toEqual(['web:2', 'log:1']);
    expectTypeOf(applyStrategicMergePatch(untyped, untyped)).toEqualTypeOf<KubeObject>();
    // A JSON object stays a JSON object, as before.
    const json: JsonObject = { a: { b: 1 } };
    expectTypeOf(applyStrategicMergePatch(json, { a: { c: 2 } })).toEqualTypeOf<JsonObject>();
    expectTypeOf(applyStrategicMergePatch({ a: 1 }, { b: 2 })).toEqualTypeOf<JsonObject>();
    // Either, when the caller holds either.
    const either = json as JsonObject | KubeObject;
    expectTypeOf(applyStrategicMergePatch(either, json)).toEqualTypeOf<JsonObject | KubeObject>();
  });

  it('applyKustomizePatch, applyMergePatch and applyJsonPatch keep the type too', () => {
    const k = applyKustomizePatch(deployment, imagePatch);
    expectTypeOf(k).toEqualTypeOf<Deployment | undefined>();
    expect(k?.spec?.template?.spec?.containers[0]?.image).toBe('web:2');
    const m = applyMergePatch(deployment, { metadata: { labels: { team: 'a' } } });
    expectTypeOf(m).toEqualTypeOf<Deployment>();
    expect(m.metadata.labels).toEqual({ team: 'a' });
    expectTypeOf(applyMergePatch({ a: 1 }, null)).toEqualTypeOf<JsonValue>();
    const j = applyJsonPatch(deployment, [{ op: 'add', path: '/spec/replicas', value: 3 }]);
    expectTypeOf(j).toEqualTypeOf<Deployment>();
    expect(j.spec?.replicas).toBe(3);
    expectTypeOf(applyJsonPatch([1], [])).toEqualTypeOf<JsonValue>();
  });

  it('the create functions take KubeObjects and return a JSON patch', () => {
    const changed = applyMergePatch(deployment, { spec: { replicas: 2 } });
    expect(createTwoWayMergePatch(deployment, changed)).toEqual({ spec: { replicas: 2 } });
    expect(createThreeWayMergePatch(deployment, changed, untyped)).toEqual({ spec: { replicas: 2 } });
    expect(createThreeWayJsonMergePatch(undefined, changed, deployment)).toEqual({ spec: { replicas: 2 } });
    expect(createMergePatch(deployment, changed)).toEqual({ spec: { replicas: 2 } });
    expectTypeOf(createTwoWayMergePatch(deployment, changed)).toEqualTypeOf<JsonObject>();
  });
});
