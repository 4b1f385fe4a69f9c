import { describe, expect, it } from 'vitest';
import {
  isGitOpsError,
  matchesAnchoredPattern,
  matchesTargetSelector,
  type TargetSubject,
} from '../src/index.js';

const web: TargetSubject = {
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  name: 'web-frontend',
  namespace: 'shop',
  labels: { app: 'web', tier: 'front' },
  annotations: { team: 'checkout' },
};
const cm: TargetSubject = { group: '', version: 'v1', kind: 'ConfigMap', name: 'settings', namespace: '' };

function errorOf(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('matchesTargetSelector', () => {
  it('an empty selector selects everything', () => {
    expect(matchesTargetSelector({}, web)).toBe(true);
    expect(matchesTargetSelector({}, cm)).toBe(true);
  });

  it('every field set narrows the match', () => {
    expect(matchesTargetSelector({ group: 'apps', version: 'v1', kind: 'Deployment' }, web)).toBe(true);
    expect(matchesTargetSelector({ group: 'batch' }, web)).toBe(false);
    expect(matchesTargetSelector({ version: 'v2' }, web)).toBe(false);
    expect(matchesTargetSelector({ kind: 'StatefulSet' }, web)).toBe(false);
    expect(matchesTargetSelector({ kind: 'Deployment', labelSelector: 'app=api' }, web)).toBe(false);
    expect(matchesTargetSelector({ kind: 'Deployment', annotationSelector: 'team=checkout' }, web)).toBe(
      true,
    );
    expect(matchesTargetSelector({ annotationSelector: 'team!=checkout' }, web)).toBe(false);
  });

  it('names and namespaces are regular expressions anchored at both ends', () => {
    expect(matchesTargetSelector({ name: 'web-.*' }, web)).toBe(true);
    expect(matchesTargetSelector({ name: 'web' }, web)).toBe(false);
    expect(matchesTargetSelector({ name: 'frontend' }, web)).toBe(false);
    expect(matchesTargetSelector({ namespace: 'sh(op|ed)' }, web)).toBe(true);
    expect(matchesTargetSelector({ namespace: 'sho' }, web)).toBe(false);
  });

  it('an empty group is any group for kustomize and the core group for Flux', () => {
    expect(matchesTargetSelector({ group: '' }, web)).toBe(true);
    expect(matchesTargetSelector({ group: '' }, web, { emptyGroup: 'any' })).toBe(true);
    expect(matchesTargetSelector({ group: '' }, web, { emptyGroup: 'core' })).toBe(false);
    expect(matchesTargetSelector({ group: '' }, cm, { emptyGroup: 'core' })).toBe(true);
  });

  it('labels and annotations an object lacks fail positive requirements and pass negative ones', () => {
    expect(matchesTargetSelector({ labelSelector: 'app' }, cm)).toBe(false);
    expect(matchesTargetSelector({ labelSelector: '!app' }, cm)).toBe(true);
    expect(matchesTargetSelector({ annotationSelector: '!team' }, cm)).toBe(true);
  });

  it('a bad pattern or selector is a ValidationError naming the field under the path', () => {
    const badName = errorOf(() => matchesTargetSelector({ name: '(' }, web, { path: 'spec.target' }));
    expect(isGitOpsError(badName, 'VALIDATION_ERROR')).toBe(true);
    expect((badName as { path?: string }).path).toBe('spec.target.name');
    expect((badName as Error).message).toContain('"(" is not a regular expression');
    const badLabels = errorOf(() => matchesTargetSelector({ labelSelector: 'a in ((b' }, web, { path: '' }));
    expect(isGitOpsError(badLabels, 'VALIDATION_ERROR')).toBe(true);
    expect((badLabels as { path?: string }).path).toMatch(/^labelSelector/);
    const badNamespace = errorOf(() => matchesTargetSelector({ namespace: '[' }, web));
    expect((badNamespace as { path?: string }).path).toBe('target.namespace');
  });
});

describe('matchesAnchoredPattern', () => {
  it('matches the whole value, and an absent or empty pattern matches anything', () => {
    expect(matchesAnchoredPattern(undefined, 'x')).toBe(true);
    expect(matchesAnchoredPattern('', 'x')).toBe(true);
    expect(matchesAnchoredPattern('a|b', 'a')).toBe(true);
    expect(matchesAnchoredPattern('a|b', 'ab')).toBe(false);
    expect(matchesAnchoredPattern('a.c', 'abc')).toBe(true);
  });

  it('gives the same answer when many distinct patterns have passed through its cache', () => {
    for (let i = 0; i < 3000; i++) expect(matchesAnchoredPattern(`p${i}`, `p${i}`)).toBe(true);
    expect(matchesAnchoredPattern('p1', 'p10')).toBe(false);
  });
});
