import type { KubeObject } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { aggregateHealth } from '../src/index.js';

const pod = (name: string, phase: string, annotations?: Record<string, string>) =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...(annotations ? { annotations } : {}) },
    spec: { restartPolicy: 'Always' },
    status: { phase },
  }) as KubeObject;

describe('aggregateHealth', () => {
  it('takes the worst status and names the causes', () => {
    const r = aggregateHealth([
      { id: 'a', live: pod('a', 'Succeeded') },
      { id: 'b', live: pod('b', 'Pending') },
      { id: 'c', live: pod('c', 'Failed') },
    ]);
    expect(r.status).toBe('Degraded');
    expect(r.causes.map((c) => c.id)).toEqual(['c']);
    expect(r.message).toContain('c is Degraded');
  });

  it('leaves out hooks, ignored resources and resources with no check', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } } as KubeObject;
    const r = aggregateHealth([
      { id: 'ok', live: pod('ok', 'Succeeded') },
      { id: 'hook', live: pod('hook', 'Failed', { 'argocd.argoproj.io/hook': 'PreSync' }) },
      { id: 'ignored', live: pod('ignored', 'Failed', { 'argocd.argoproj.io/ignore-healthcheck': 'true' }) },
      { id: 'cm', live: cm },
    ]);
    expect(r.status).toBe('Healthy');
    expect(r.resources.map((x) => x.skipped)).toEqual([undefined, 'hook', 'ignored', 'no-check']);
  });

  it('shows missing resources as Missing without lowering the application, unless nothing exists', () => {
    const some = aggregateHealth([
      { id: 'live', live: pod('live', 'Succeeded') },
      { id: 'gone', live: null, target: pod('gone', '') },
    ]);
    expect(some.status).toBe('Healthy');
    expect(some.resources[1]).toMatchObject({ id: 'gone', health: { status: 'Missing' }, counted: false });
    const none = aggregateHealth([{ id: 'gone', live: null, target: pod('gone', '') }]);
    expect(none.status).toBe('Missing');
    expect(none.causes).toEqual([{ id: 'gone', status: 'Missing', message: '' }]);
  });

  it('counts a suspended Job as Healthy, as Argo CD does', () => {
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'j' },
      status: { conditions: [{ type: 'Suspended', status: 'True' }] },
    } as KubeObject;
    const r = aggregateHealth([{ id: 'j', live: job }]);
    expect(r.status).toBe('Healthy');
    expect(r.resources[0]?.health?.status).toBe('Suspended');
  });

  it('does not let a Missing or Unknown child Application affect its parent', () => {
    const app = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'child' },
    } as KubeObject;
    const r = aggregateHealth([
      { id: 'child', live: app, health: { status: 'Unknown', message: '' } },
      { id: 'p', live: pod('p', 'Succeeded') },
    ]);
    expect(r.status).toBe('Healthy');
    expect(r.resources[0]?.skipped).toBe('child-application');
  });

  it('uses health already computed when given', () => {
    const r = aggregateHealth([
      { id: 'x', live: pod('x', 'Succeeded'), health: { status: 'Progressing', message: 'given' } },
    ]);
    expect(r).toMatchObject({ status: 'Progressing', causes: [{ id: 'x', message: 'given' }] });
  });
});
