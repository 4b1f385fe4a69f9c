import { describe, expect, it } from 'vitest';
import {
  isGitOpsError,
  labelSelectorRequirements,
  matchesLabelSelector,
  parseLabelSelector,
  ValidationError,
} from '../src/index.js';

const labels = { app: 'web', tier: 'front', 'example.com/team': 'blue', replicas: '3' };

function rejects(selector: string): ValidationError {
  try {
    parseLabelSelector(selector);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    expect(isGitOpsError(err, 'VALIDATION_ERROR')).toBe(true);
    return err as ValidationError;
  }
  throw new Error(`expected "${selector}" to be rejected`);
}

describe('parseLabelSelector', () => {
  it('parses every operator of the Kubernetes syntax', () => {
    expect(
      parseLabelSelector('a=1,b==2,c!=3,d in (x, y),e notin (z),f,!g,h>4,i<5').map((r) => [
        r.key,
        r.operator,
        r.values,
      ]),
    ).toEqual([
      ['a', 'Equals', ['1']],
      ['b', 'Equals', ['2']],
      ['c', 'NotEquals', ['3']],
      ['d', 'In', ['x', 'y']],
      ['e', 'NotIn', ['z']],
      ['f', 'Exists', []],
      ['g', 'DoesNotExist', []],
      ['h', 'GreaterThan', ['4']],
      ['i', 'LessThan', ['5']],
    ]);
  });

  it('accepts white space around tokens and empty values as the API server does', () => {
    expect(parseLabelSelector('  a = b ,  ! c , d in(x) ')).toHaveLength(3);
    expect(parseLabelSelector('a=')[0]?.values).toEqual(['']);
    expect(parseLabelSelector('a in ()')[0]?.values).toEqual(['']);
    expect(parseLabelSelector('a in (x,)')[0]?.values).toEqual(['x', '']);
    expect(parseLabelSelector('')).toEqual([]);
  });

  it('accepts prefixed keys and rejects malformed ones', () => {
    expect(parseLabelSelector('example.com/team=blue')[0]?.key).toBe('example.com/team');
    rejects('/team=blue');
    rejects('Example.COM/team=blue');
    rejects('a/b/c=d');
    rejects('-bad=x');
    rejects(`${'k'.repeat(64)}=x`);
  });

  it('rejects bad values and bad syntax as typed errors with a path', () => {
    const err = rejects('app=(');
    expect(err.path).toBe('labelSelector');
    rejects('app=-web');
    rejects(`app=${'v'.repeat(64)}`);
    rejects('app in (a b)');
    rejects('app in a');
    rejects('app in (a');
    rejects('app notin');
    rejects('app=web,');
    rejects('app=web tier=front');
    rejects('!app=web');
    rejects('h>x');
    rejects('=web');
    rejects(',');
  });

  it('reports the location the caller gives', () => {
    try {
      parseLabelSelector('a=(', { file: 'kustomization.yaml', path: 'patches[0].target.labelSelector' });
      expect.unreachable();
    } catch (err) {
      expect((err as ValidationError).file).toBe('kustomization.yaml');
      expect((err as ValidationError).path).toBe('patches[0].target.labelSelector');
    }
  });
});

describe('matchesLabelSelector', () => {
  it.each([
    ['app=web', true],
    ['app==web', true],
    ['app=api', false],
    ['missing=x', false],
    ['app!=api', true],
    ['app!=web', false],
    ['missing!=x', true],
    ['tier in (front,back)', true],
    ['tier in (back)', false],
    ['missing in (x)', false],
    ['tier notin (back)', true],
    ['tier notin (front)', false],
    ['missing notin (x)', true],
    ['tier', true],
    ['missing', false],
    ['!missing', true],
    ['!tier', false],
    ['replicas>2', true],
    ['replicas>3', false],
    ['replicas<4', true],
    ['app>1', false],
    ['example.com/team=blue', true],
    ['app=web,tier in (front),!legacy', true],
    ['app=web,tier in (back)', false],
    ['', true],
  ])('%s → %s', (selector, expected) => {
    expect(matchesLabelSelector(selector, labels)).toBe(expected);
  });

  it('treats missing labels as an empty map', () => {
    expect(matchesLabelSelector('!app', undefined)).toBe(true);
    expect(matchesLabelSelector('app', null)).toBe(false);
  });

  it('does not take inherited properties for labels', () => {
    expect(matchesLabelSelector('constructor', {})).toBe(false);
    expect(matchesLabelSelector('toString notin (x)', {})).toBe(true);
  });

  it('matches a LabelSelector object', () => {
    expect(
      matchesLabelSelector(
        {
          matchLabels: { app: 'web' },
          matchExpressions: [
            { key: 'tier', operator: 'In', values: ['front', 'back'] },
            { key: 'legacy', operator: 'DoesNotExist' },
          ],
        },
        labels,
      ),
    ).toBe(true);
    expect(matchesLabelSelector({ matchLabels: { app: 'api' } }, labels)).toBe(false);
    expect(
      matchesLabelSelector(
        { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] },
        labels,
      ),
    ).toBe(false);
    expect(matchesLabelSelector({}, labels)).toBe(true);
  });

  it('validates a LabelSelector object', () => {
    expect(() =>
      labelSelectorRequirements({ matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }] }),
    ).toThrow(ValidationError);
    expect(() =>
      labelSelectorRequirements({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }),
    ).toThrow(ValidationError);
    expect(() =>
      labelSelectorRequirements({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }),
    ).toThrow(ValidationError);
    expect(() => labelSelectorRequirements({ matchLabels: { 'bad key': 'x' } })).toThrow(ValidationError);
  });

  it('matches parsed requirements', () => {
    expect(matchesLabelSelector(parseLabelSelector('app=web'), labels)).toBe(true);
  });
});
