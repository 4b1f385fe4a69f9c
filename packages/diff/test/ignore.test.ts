import { isGitOpsError, type KubeObject, matchesLabelSelector } from '@gitops-kit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { diff, runJq, stopJq } from '../src/index.js';
import { desiredDeployment, liveFrom } from './helpers.js';

afterAll(() => stopJq());

const changedImage = () => {
  const desired = desiredDeployment({ image: 'nginx:1.28' });
  const live = liveFrom(desiredDeployment({ image: 'nginx:1.27' }));
  return { desired, live };
};

describe('ignoreDifferences (Argo CD shape)', () => {
  it('jsonPointers hide a field on every side', () => {
    const { desired, live } = changedImage();
    expect(diff(desired, live).modified).toBe(true);
    const rule = {
      group: 'apps',
      kind: 'Deployment',
      jsonPointers: ['/spec/template/spec/containers/0/image'],
    };
    expect(diff(desired, live, { ignoreDifferences: [rule] }).modified).toBe(false);
    // A rule for another kind, name or namespace does not apply.
    expect(diff(desired, live, { ignoreDifferences: [{ ...rule, kind: 'StatefulSet' }] }).modified).toBe(
      true,
    );
    expect(diff(desired, live, { ignoreDifferences: [{ ...rule, name: 'other' }] }).modified).toBe(true);
    expect(
      diff(desired, live, { ignoreDifferences: [{ ...rule, namespace: 'shop', name: 'w*' }] }).modified,
    ).toBe(false);
  });

  it('jqPathExpressions run on the real jq engine', () => {
    const { desired, live } = changedImage();
    const rule = {
      group: 'apps',
      kind: 'Deployment',
      jqPathExpressions: ['.spec.template.spec.containers[] | select(.name == "web") | .image'],
    };
    expect(diff(desired, live, { ignoreDifferences: [rule] }).modified).toBe(false);
    const other = {
      ...rule,
      jqPathExpressions: ['.spec.template.spec.containers[] | select(.name == "x") | .image'],
    };
    expect(diff(desired, live, { ignoreDifferences: [other] }).modified).toBe(true);
  });

  it('a looping jq expression is stopped by the time limit', () => {
    const { desired, live } = changedImage();
    const rule = { kind: 'Deployment', jqPathExpressions: ['until(false; .) | .spec'] };
    let caught: unknown;
    try {
      diff(desired, live, { ignoreDifferences: [rule], jqTimeoutMs: 300 });
    } catch (err) {
      caught = err;
    }
    expect(isGitOpsError(caught, 'TIMEOUT')).toBe(true);
    expect((caught as { path?: string }).path).toBe('ignoreDifferences[0].jqPathExpressions[0]');
    // The engine recovers for the next call.
    expect(runJq({ a: 1 }, '.a')).toEqual([1]);
  });

  it('a jq syntax error is a typed error', () => {
    const { desired, live } = changedImage();
    expect(() =>
      diff(desired, live, { ignoreDifferences: [{ kind: 'Deployment', jqPathExpressions: ['.spec[['] }] }),
    ).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR' }));
  });

  it('managedFieldsManagers ignore what those managers own', () => {
    const desired = desiredDeployment({ replicas: 2 });
    const live = liveFrom(desiredDeployment({ replicas: 7 }));
    live.metadata.managedFields?.push({
      manager: 'kube-controller-manager-hpa',
      operation: 'Update',
      apiVersion: 'apps/v1',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:spec': { 'f:replicas': {} } },
    });
    expect(diff(desired, live).modified).toBe(true);
    const rule = {
      group: 'apps',
      kind: 'Deployment',
      managedFieldsManagers: ['kube-controller-manager-hpa'],
    };
    const result = diff(desired, live, { ignoreDifferences: [rule] });
    expect(result.modified).toBe(false);
  });
});

describe('ignore rules (Flux shape)', () => {
  it('paths with a target selected by kind, name regex and label selector', () => {
    const { desired, live } = changedImage();
    const paths = ['/spec/template/spec/containers/0/image'];
    expect(diff(desired, live, { fluxIgnore: [{ paths }] }).modified).toBe(false);
    expect(
      diff(desired, live, { fluxIgnore: [{ paths, target: { kind: 'Deployment', name: 'w.b' } }] }).modified,
    ).toBe(false);
    expect(diff(desired, live, { fluxIgnore: [{ paths, target: { name: 'we' } }] }).modified).toBe(true);
    expect(
      diff(desired, live, { fluxIgnore: [{ paths, target: { labelSelector: 'app in (web,api)' } }] })
        .modified,
    ).toBe(false);
    expect(
      diff(desired, live, { fluxIgnore: [{ paths, target: { labelSelector: 'app!=web' } }] }).modified,
    ).toBe(true);
  });

  it('label selectors', () => {
    const labels = { app: 'web', tier: 'front' };
    expect(matchesLabelSelector('app=web,tier', labels)).toBe(true);
    expect(matchesLabelSelector('app==web,!legacy', labels)).toBe(true);
    expect(matchesLabelSelector('tier notin (front)', labels)).toBe(false);
    expect(matchesLabelSelector('missing', labels)).toBe(false);
    expect(() => matchesLabelSelector('app=(', labels)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_ERROR' }),
    );
  });

  it('a bad regular expression is a typed error', () => {
    const { desired, live } = changedImage();
    expect(() => diff(desired, live, { fluxIgnore: [{ paths: ['/spec'], target: { name: '(' } }] })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_ERROR' }),
    );
  });
});

describe('ignore rules on the outputs', () => {
  it('defaults do not bring an ignored field back', () => {
    const svc = (affinity: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec: { selector: { app: 'a' }, ports: [{ port: 80 }], sessionAffinity: affinity },
    });
    const result = diff(svc('ClientIP'), svc('None'), {
      ignoreDifferences: [{ group: '', kind: 'Service', jsonPointers: ['/spec/sessionAffinity'] }],
    });
    expect(result.modified).toBe(false);
    expect(result.predictedLive?.spec).not.toHaveProperty('sessionAffinity');
    expect(result.normalizedLive?.spec).not.toHaveProperty('sessionAffinity');
  });
});
