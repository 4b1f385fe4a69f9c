import type { KubeObject } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { assessHealth, globMatch, HealthCheckRegistry } from '../src/index.js';

const cr = (apiVersion: string, kind: string, status?: unknown) =>
  ({ apiVersion, kind, metadata: { name: 'x', generation: 2 }, ...(status ? { status } : {}) }) as KubeObject;

describe('TypeScript health checks', () => {
  it('looks up the exact group/Kind first, then the most specific glob', () => {
    const registry = new HealthCheckRegistry()
      .register('*', () => ({ status: 'Unknown', message: 'any' }))
      .register('*.crossplane.io/*', () => ({ status: 'Progressing', message: 'crossplane' }))
      .register({ group: 'rds.aws.crossplane.io', kind: 'DBInstance' }, () => ({
        status: 'Healthy',
        message: 'exact',
      }));
    expect(assessHealth(cr('rds.aws.crossplane.io/v1', 'DBInstance'), { checks: registry })?.message).toBe(
      'exact',
    );
    expect(assessHealth(cr('s3.aws.crossplane.io/v1', 'Bucket'), { checks: registry })?.message).toBe(
      'crossplane',
    );
    expect(assessHealth(cr('example.com/v1', 'Thing'), { checks: registry })?.message).toBe('any');
  });

  it('turns a throwing check or a bad result into Unknown', () => {
    const registry = new HealthCheckRegistry()
      .register('a.io/Thrower', () => {
        throw new Error('check exploded');
      })
      .register('a.io/Liar', () => ({ status: 'Fine' }) as never);
    expect(assessHealth(cr('a.io/v1', 'Thrower'), { checks: registry })).toEqual({
      status: 'Unknown',
      message: 'check exploded',
    });
    expect(assessHealth(cr('a.io/v1', 'Liar'), { checks: registry })?.status).toBe('Unknown');
  });

  it('matches globs over the whole key', () => {
    expect(globMatch('*.io/*', 'a.b.io/Kind')).toBe(true);
    expect(globMatch('*.io/*', 'a.b.com/Kind')).toBe(false);
    expect(globMatch('a?c', 'abc')).toBe(true);
    expect(globMatch('a.c', 'abc')).toBe(false);
  });
});

describe('generic fallback for custom resources', () => {
  it('is off by default', () => {
    expect(
      assessHealth(cr('x.io/v1', 'Thing', { conditions: [{ type: 'Ready', status: 'True' }] })),
    ).toBeUndefined();
  });

  it('reads observedGeneration, Stalled, Synced, Reconciling, Ready and Available', () => {
    const on = { genericFallback: true };
    const st = (status: unknown) => assessHealth(cr('x.io/v1', 'Thing', status), on);
    expect(st({ observedGeneration: 1 })?.status).toBe('Progressing');
    expect(
      st({ observedGeneration: 2, conditions: [{ type: 'Ready', status: 'True', message: 'up' }] }),
    ).toEqual({
      status: 'Healthy',
      message: 'up',
    });
    expect(st({ conditions: [{ type: 'Stalled', status: 'True', message: 'gave up' }] })?.status).toBe(
      'Degraded',
    );
    expect(
      st({
        conditions: [
          { type: 'Ready', status: 'True' },
          { type: 'Synced', status: 'False', reason: 'ReconcileError' },
        ],
      })?.status,
    ).toBe('Degraded');
    expect(st({ conditions: [{ type: 'Ready', status: 'False', reason: 'Creating' }] })?.status).toBe(
      'Progressing',
    );
    expect(
      st({ conditions: [{ type: 'Ready', status: 'False', reason: 'ReconciliationFailed' }] })?.status,
    ).toBe('Degraded');
    expect(st({ conditions: [{ type: 'Available', status: 'True' }] })?.status).toBe('Healthy');
    expect(st({ something: 'else' })).toBeUndefined();
  });
});
