import { describe, expect, it } from 'vitest';
import { classifyTargetRevision, gitRefFor, gitRefForRevision } from '../src/index.js';

describe('targetRevision', () => {
  it('classifies what Applications write', () => {
    expect(classifyTargetRevision(undefined)).toEqual({ kind: 'default' });
    expect(classifyTargetRevision('HEAD')).toEqual({ kind: 'default' });
    expect(classifyTargetRevision('A'.repeat(40))).toEqual({ kind: 'commit', commit: 'a'.repeat(40) });
    expect(classifyTargetRevision('refs/pull/7/head')).toEqual({ kind: 'ref', name: 'refs/pull/7/head' });
    for (const range of [
      '^1.2',
      '~1.2.0',
      '>=1.0.0 <2.0.0',
      '1.x',
      '1.2',
      '*',
      '1.0.0 - 2.0.0',
      '>=1 || <0.5',
    ]) {
      expect(classifyTargetRevision(range), range).toEqual({ kind: 'semver', range });
    }
    for (const name of ['main', 'release-1.2', 'v1.2.3', '1.2.3', 'v2.0.0-rc.1', 'feature/x', 'abc1234']) {
      expect(classifyTargetRevision(name), name).toEqual({ kind: 'branch-or-tag', name });
    }
  });

  it('maps to the Git ref to fetch, preferring a branch over a tag of the same name', () => {
    const remote = { branches: new Set(['main', 'both']), tags: new Set(['v1.2.3', 'both']) };
    expect(gitRefFor('', remote)).toEqual({});
    expect(gitRefFor('main', remote)).toEqual({ branch: 'main' });
    expect(gitRefFor('v1.2.3', remote)).toEqual({ tag: 'v1.2.3' });
    expect(gitRefFor('both', remote)).toEqual({ branch: 'both' });
    expect(gitRefFor('gone', remote)).toEqual({ branch: 'gone' });
    expect(gitRefFor('^1.0', remote)).toEqual({ semver: '^1.0' });
    expect(gitRefFor('v1.2.3')).toEqual({ tag: 'v1.2.3' });
    expect(gitRefFor('main')).toEqual({ branch: 'main' });
  });

  it('reproduces a recorded revision: its commit, under its label', () => {
    const c = 'c'.repeat(40);
    expect(gitRefForRevision(`main@sha1:${c}`)).toEqual({ branch: 'main', commit: c });
    expect(gitRefForRevision(`v1.2.3@sha1:${c}`)).toEqual({ branch: 'v1.2.3', commit: c });
    expect(gitRefForRevision(`sha1:${c}`)).toEqual({ commit: c });
    // Not a recorded revision: a targetRevision.
    expect(gitRefForRevision(c)).toEqual({ commit: c });
    expect(gitRefForRevision('main')).toEqual({ branch: 'main' });
  });
});
