// RespectIgnoreDifferences: the desired objects a sync applies keep the live values of the fields the
// ignore rules name (JSON pointers and jq path expressions), as Argo CD's sync option does.
import type { KubeObject } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { respectIgnoreDifferences } from '../src/respect-ignore-differences.js';
import { wantsServerSideDiff } from '../src/server-side-diff.js';

const deployment = (replicas: number | undefined, images: string[], extra: object = {}): KubeObject =>
  ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns' },
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      template: { spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) } },
      ...extra,
    },
  }) as KubeObject;

describe('respectIgnoreDifferences', () => {
  it('copies the live value of a JSON pointer, and leaves out one absent live', () => {
    const desired = [deployment(1, ['nginx:1.27'], { paused: false })];
    const live = [{ ...deployment(5, ['nginx:1.26']), status: { replicas: 5 } } as KubeObject];
    const out = respectIgnoreDifferences(
      desired,
      live,
      [{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas', '/spec/paused'] }],
      'ns',
    );
    expect(out[0]?.spec).toEqual({
      replicas: 5,
      template: { spec: { containers: [{ name: 'c0', image: 'nginx:1.27' }] } },
    });
    // The desired object itself is not changed.
    expect(desired[0]?.spec).toMatchObject({ replicas: 1, paused: false });
  });

  it('follows list indexes of a pointer and the paths a jq expression selects', () => {
    const desired = [deployment(1, ['a:1', 'b:1'])];
    const live = [deployment(1, ['a:0@sha256:00', 'b:0'])];
    const byPointer = respectIgnoreDifferences(
      desired,
      live,
      [{ kind: 'Deployment', jsonPointers: ['/spec/template/spec/containers/1/image'] }],
      'ns',
    );
    expect(byPointer[0]?.spec).toMatchObject({
      template: { spec: { containers: [{ image: 'a:1' }, { image: 'b:0' }] } },
    });
    const byJq = respectIgnoreDifferences(
      desired,
      live,
      [
        {
          kind: 'Deployment',
          jqPathExpressions: ['.spec.template.spec.containers[] | select(.name == "c0") | .image'],
        },
      ],
      'ns',
    );
    expect(byJq[0]?.spec).toMatchObject({
      template: { spec: { containers: [{ image: 'a:0@sha256:00' }, { image: 'b:1' }] } },
    });
  });

  it('leaves alone objects not live yet, and objects no rule selects', () => {
    const desired = [
      deployment(1, ['a:1']),
      { ...deployment(1, ['x:1']), metadata: { name: 'new', namespace: 'ns' } },
    ];
    const live = [deployment(7, ['a:1'])];
    const other = respectIgnoreDifferences(
      desired,
      live,
      [{ kind: 'StatefulSet', jsonPointers: ['/spec/replicas'] }],
      'ns',
    );
    expect(other[0]).toBe(desired[0]);
    const out = respectIgnoreDifferences(
      desired,
      live,
      [{ kind: 'Deployment', jsonPointers: ['/spec/replicas'] }],
      'ns',
    );
    expect(out[0]?.spec).toMatchObject({ replicas: 7 });
    expect(out[1]).toBe(desired[1]);
    // Matched by the default namespace when the desired object names none.
    const bare = { ...deployment(1, ['a:1']), metadata: { name: 'web' } } as KubeObject;
    const defaulted = respectIgnoreDifferences(
      [bare],
      live,
      [{ kind: 'Deployment', jsonPointers: ['/spec/replicas'] }],
      'ns',
    );
    expect(defaulted[0]?.spec).toMatchObject({ replicas: 7 });
  });
});

describe('wantsServerSideDiff', () => {
  it('reads ServerSideDiff=true among the compare options', () => {
    const app = (v?: string) => ({
      metadata: { annotations: v === undefined ? undefined : { 'argocd.argoproj.io/compare-options': v } },
    });
    expect(wantsServerSideDiff(app('IgnoreExtraneous, ServerSideDiff=true'))).toBe(true);
    expect(wantsServerSideDiff(app('ServerSideDiff=false'))).toBe(false);
    expect(wantsServerSideDiff(app())).toBe(false);
  });
});
