import { isGitOpsError, type KubeObject, matchesLabelSelector } from '@gitops-kit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { argoRuleMatches, diff, fluxRuleMatches, runJq, stopJq } from '../src/index.js';
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

// Which objects a rule selects, seen through diff: a rule that selects the object hides the one
// changed field (the diff is then unmodified), one that does not leaves the change visible.
const configMap = (
  name: string,
  namespace: string | undefined,
  value: string,
  meta: { labels?: Record<string, string>; annotations?: Record<string, string> } = {},
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...(namespace === undefined ? {} : { namespace }), ...meta },
  data: { a: value },
});
const role = (name: string, value: string): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name },
  aggregationRule: { clusterRoleSelectors: [{ matchLabels: { v: value } }] },
});
const argoHides = (obj: (v: string) => KubeObject, rule: Record<string, string>, pointer = '/data/a') =>
  !diff(obj('1'), obj('2'), { ignoreDifferences: [{ ...rule, jsonPointers: [pointer] }] }).modified;
const fluxHides = (obj: (v: string) => KubeObject, target: Record<string, string> | undefined) =>
  !diff(obj('1'), obj('2'), { fluxIgnore: [{ paths: ['/data/a'], ...(target ? { target } : {}) }] }).modified;

describe('which objects an Argo CD rule selects', () => {
  const cm = (name: string, ns?: string) => (v: string) => configMap(name, ns, v);

  it('group: the core group is the empty string; absent selects every group', () => {
    expect(argoHides(cm('x', 'ns'), { group: '' })).toBe(true);
    expect(argoHides(cm('x', 'ns'), {})).toBe(true);
    expect(argoHides(cm('x', 'ns'), { group: 'apps' })).toBe(false);
    expect(argoHides(cm('x', 'ns'), { group: 'v1' })).toBe(false);
    const rules = '/aggregationRule/clusterRoleSelectors/0/matchLabels/v';
    expect(argoHides((v) => role('r', v), { group: 'rbac.authorization.k8s.io' }, rules)).toBe(true);
    expect(argoHides((v) => role('r', v), { group: '*.k8s.io' }, rules)).toBe(true);
    expect(argoHides((v) => role('r', v), { group: 'rbac' }, rules)).toBe(false);
  });

  it('a glob: * is any run of characters, anchored at both ends; other characters are literal', () => {
    expect(argoHides(cm('web-1', 'ns'), { name: 'web-*' })).toBe(true);
    expect(argoHides(cm('web-1', 'ns'), { name: '*-1' })).toBe(true);
    expect(argoHides(cm('web-1', 'ns'), { name: 'w*1' })).toBe(true);
    expect(argoHides(cm('web-1', 'ns'), { name: '*' })).toBe(true);
    expect(argoHides(cm('web-1', 'ns'), { name: '**' })).toBe(true);
    expect(argoHides(cm('aweb-1', 'ns'), { name: 'web*' })).toBe(false);
    expect(argoHides(cm('web-1x', 'ns'), { name: '*-1' })).toBe(false);
    expect(argoHides(cm('web-1', 'ns'), { name: 'web' })).toBe(false);
    expect(argoHides(cm('web', 'ns'), { name: 'web-1' })).toBe(false);
    // A dot is a dot, not any character; regular expression syntax in a glob is literal.
    expect(argoHides(cm('a.c-1', 'ns'), { name: 'a.c*' })).toBe(true);
    expect(argoHides(cm('abc-1', 'ns'), { name: 'a.c*' })).toBe(false);
    expect(argoHides(cm('abc-1', 'ns'), { name: 'a?c*' })).toBe(false);
    expect(argoHides(cm('aac-1', 'ns'), { name: 'a+c*' })).toBe(false);
    expect(argoHides(cm('a+c-1', 'ns'), { name: 'a+c*' })).toBe(true);
    for (const literal of ['(x*', '[x*', 'x{2}*', 'x|y*', '^x*', 'x$*', 'x\\d*'])
      expect(argoHides(cm('xx', 'ns'), { name: literal })).toBe(false);
    expect(argoHides(cm('x|y-1', 'ns'), { name: 'x|y*' })).toBe(true);
    expect(argoHides(cm('(x)-1', 'ns'), { name: '(x)*' })).toBe(true);
    expect(argoHides(cm('[x]-1', 'ns'), { name: '[x]*' })).toBe(true);
    expect(argoHides(cm('x{2}-1', 'ns'), { name: 'x{2}*' })).toBe(true);
    expect(argoHides(cm('x\\d-1', 'ns'), { name: 'x\\d*' })).toBe(true);
    expect(argoHides(cm('^x$-1', 'ns'), { name: '^x$*' })).toBe(true);
  });

  it('kind and namespace; a cluster-scoped object has the empty namespace', () => {
    expect(argoHides(cm('x', 'shop'), { kind: 'ConfigMap', namespace: 'sh*' })).toBe(true);
    expect(argoHides(cm('x', 'shop'), { kind: 'Config*' })).toBe(true);
    expect(argoHides(cm('x', 'shop'), { kind: 'Secret' })).toBe(false);
    expect(argoHides(cm('x', 'shop'), { namespace: 'other' })).toBe(false);
    expect(argoHides(cm('x', 'shop'), { namespace: '' })).toBe(false);
    expect(argoHides(cm('x'), { namespace: '' })).toBe(true);
    expect(argoHides(cm('x'), { namespace: 'shop' })).toBe(false);
  });
});

describe('which objects a Flux rule targets', () => {
  const cm = (name: string, ns?: string, meta?: Parameters<typeof configMap>[3]) => (v: string) =>
    configMap(name, ns, v, meta);

  it('group and version: exact; an empty version or kind selects any', () => {
    expect(fluxHides(cm('x', 'ns'), { group: '' })).toBe(true);
    expect(fluxHides(cm('x', 'ns'), { group: 'apps' })).toBe(false);
    expect(fluxHides(cm('x', 'ns'), { version: 'v1' })).toBe(true);
    expect(fluxHides(cm('x', 'ns'), { version: '' })).toBe(true);
    expect(fluxHides(cm('x', 'ns'), { version: 'v2' })).toBe(false);
    expect(fluxHides(cm('x', 'ns'), { kind: 'ConfigMap' })).toBe(true);
    expect(fluxHides(cm('x', 'ns'), { kind: '' })).toBe(true);
    expect(fluxHides(cm('x', 'ns'), { kind: 'Secret' })).toBe(false);
    const { desired, live } = changedImage();
    const paths = ['/spec/template/spec/containers/0/image'];
    for (const [target, hidden] of [
      [{ group: 'apps', version: 'v1' }, true],
      [{ group: '' }, false],
      [{ version: 'apps' }, false],
    ] as const)
      expect(diff(desired, live, { fluxIgnore: [{ paths, target }] }).modified).toBe(!hidden);
  });

  it('name and namespace: regular expressions matched against the whole value', () => {
    expect(fluxHides(cm('web-1', 'shop'), { name: 'web-[0-9]+', namespace: 'sh.p' })).toBe(true);
    expect(fluxHides(cm('web-1', 'shop'), { name: '', namespace: '' })).toBe(true);
    expect(fluxHides(cm('web-1', 'shop'), { namespace: 'sho' })).toBe(false);
    expect(fluxHides(cm('web-1', 'shop'), { namespace: 'hop' })).toBe(false);
    expect(fluxHides(cm('web-1', 'shop'), { name: 'web|api' })).toBe(false);
    expect(fluxHides(cm('api', 'shop'), { name: 'web|api' })).toBe(true);
    expect(fluxHides(cm('web-1'), { namespace: '' })).toBe(true);
    expect(fluxHides(cm('web-1'), { namespace: '.+' })).toBe(false);
    expect(fluxHides(cm('web-1'), { namespace: '.*' })).toBe(true);
  });

  it('a bad regular expression is refused, naming the target field', () => {
    for (const field of ['name', 'namespace']) {
      let caught: unknown;
      try {
        fluxHides(cm('x', 'ns'), { [field]: '(' });
      } catch (err) {
        caught = err;
      }
      expect(isGitOpsError(caught, 'VALIDATION_ERROR')).toBe(true);
      expect((caught as { path?: string }).path).toBe(`target.${field}`);
      expect((caught as Error).message).toBe(`field target.${field}: "(" is not a regular expression`);
    }
  });

  it('label and annotation selectors; an object without labels or annotations has none', () => {
    const labelled = cm('x', 'ns', { labels: { app: 'web' }, annotations: { team: 'a' } });
    expect(fluxHides(labelled, { labelSelector: 'app=web' })).toBe(true);
    expect(fluxHides(labelled, { labelSelector: 'app=api' })).toBe(false);
    expect(fluxHides(labelled, { annotationSelector: 'team=a' })).toBe(true);
    expect(fluxHides(labelled, { annotationSelector: 'team=b' })).toBe(false);
    expect(fluxHides(labelled, { annotationSelector: 'app=web' })).toBe(false);
    expect(fluxHides(labelled, { labelSelector: 'team=a' })).toBe(false);
    expect(fluxHides(labelled, { labelSelector: '', annotationSelector: '' })).toBe(true);
    expect(fluxHides(cm('x', 'ns'), { labelSelector: '!app' })).toBe(true);
    expect(fluxHides(cm('x', 'ns'), { annotationSelector: '!team' })).toBe(true);
    let caught: unknown;
    try {
      fluxHides(labelled, { annotationSelector: 'team=(' });
    } catch (err) {
      caught = err;
    }
    expect(isGitOpsError(caught, 'VALIDATION_ERROR')).toBe(true);
    expect((caught as { path?: string }).path).toMatch(/^target\.annotationSelector/);
  });
});

describe('what an ignore rule removes', () => {
  it('a pointer is removed from desired, live and last-applied alike', () => {
    const desired = configMap('x', 'ns', '1');
    const live = liveFrom(configMap('x', 'ns', '2'), { lastApplied: true });
    const result = diff(desired, live, {
      ignoreDifferences: [{ kind: 'ConfigMap', jsonPointers: ['/data/a'] }],
    });
    expect(result.modified).toBe(false);
    expect(result.predictedLive?.data).toBeUndefined();
    expect(result.normalizedLive?.data).toBeUndefined();
    // Without the rule, the last-applied value would have been dropped: the field differs.
    expect(diff(desired, live).modified).toBe(true);
  });

  it('a jq expression must leave one object: several outputs, null, a scalar or a list are refused', () => {
    const { desired, live } = changedImage();
    for (const bad of ['.spec), del(.status', '.spec) | null | (.', '.spec) | 5 | (.', '.spec) | [] | (.']) {
      let caught: unknown;
      try {
        diff(desired, live, { ignoreDifferences: [{ kind: 'Deployment', jqPathExpressions: [bad] }] });
      } catch (err) {
        caught = err;
      }
      expect(isGitOpsError(caught, 'VALIDATION_ERROR'), bad).toBe(true);
      expect((caught as Error).message).toBe(
        `field ignoreDifferences[0].jqPathExpressions[0]: jq expression ${JSON.stringify(bad)} must select paths of the object`,
      );
      expect((caught as { path?: string }).path).toBe('ignoreDifferences[0].jqPathExpressions[0]');
    }
  });

  it('jq errors on a Secret do not carry its values', () => {
    const secret = (v: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'ns' },
      data: { password: Buffer.from(v).toString('base64') },
    });
    const expr = '.data.password | error';
    const run = (obj: (v: string) => KubeObject) => {
      try {
        diff(obj('hunter2'), obj('hunter3'), { ignoreDifferences: [{ jqPathExpressions: [expr] }] });
      } catch (err) {
        return err as Error;
      }
      throw new Error('expected a refusal');
    };
    const secretError = run(secret);
    expect(secretError.message).toBe(
      `field ignoreDifferences[0].jqPathExpressions[0]: jq expression ${JSON.stringify(`del(${expr})`)} failed: jq failed on this object`,
    );
    expect(secretError.message).not.toContain(Buffer.from('hunter2').toString('base64'));
    // The same expression on a ConfigMap, or on a custom kind named Secret, reports jq's own
    // message, value included: only the core group's Secret is masked.
    const cmError = run((v) => ({ ...secret(v), kind: 'ConfigMap' }));
    expect(cmError.message).toContain(Buffer.from('hunter2').toString('base64'));
    const customError = run((v) => ({ ...secret(v), apiVersion: 'example.com/v1' }));
    expect(customError.message).toContain(Buffer.from('hunter2').toString('base64'));
  });

  it('an empty list of managers ignores nothing; the rules of later entries still apply', () => {
    const desired = desiredDeployment({ replicas: 2 });
    const live = liveFrom(desiredDeployment({ replicas: 7 }));
    expect(
      diff(desired, live, { ignoreDifferences: [{ kind: 'Deployment', managedFieldsManagers: [] }] })
        .modified,
    ).toBe(true);
    const rules = [
      { kind: 'Secret', jsonPointers: ['/spec/replicas'] },
      { kind: 'Deployment', jsonPointers: ['/spec/replicas'] },
    ];
    expect(diff(desired, live, { ignoreDifferences: rules }).modified).toBe(false);
    expect(
      diff(desired, live, {
        fluxIgnore: [
          { paths: ['/spec/replicas'], target: { kind: 'Secret' } },
          { paths: ['/spec/replicas'], target: { kind: 'Deployment' } },
        ],
      }).modified,
    ).toBe(false);
  });
});

describe('rules on malformed objects', () => {
  it('an object without metadata has the empty name and namespace, no labels or annotations', () => {
    const bare = { apiVersion: 'v1', kind: 'ConfigMap' } as unknown as KubeObject;
    expect(argoRuleMatches({ name: '', namespace: '' }, bare)).toBe(true);
    expect(argoRuleMatches({ name: 'x' }, bare)).toBe(false);
    expect(fluxRuleMatches({ paths: [], target: { name: '', namespace: '' } }, bare)).toBe(true);
    expect(fluxRuleMatches({ paths: [], target: { name: '^$' } }, bare)).toBe(true);
    expect(fluxRuleMatches({ paths: [], target: { namespace: '^$' } }, bare)).toBe(true);
    expect(fluxRuleMatches({ paths: [], target: { labelSelector: '!app' } }, bare)).toBe(true);
    expect(fluxRuleMatches({ paths: [], target: { annotationSelector: '!team' } }, bare)).toBe(true);
    const unnamed = { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} } as unknown as KubeObject;
    expect(argoRuleMatches({ name: '' }, unnamed)).toBe(true);
    expect(fluxRuleMatches({ paths: [], target: { name: '^$' } }, unnamed)).toBe(true);
  });
});
