import { describe, expect, it } from 'vitest';
import {
  compareKubeYamlKeys,
  formatKubeYamlNumber,
  isAmbiguousPlainString,
  normalizeTimestamp,
  parseYaml,
  stringifyKubeYaml,
} from '../src/index.js';

// Expected values below were observed with `kubectl kustomize` (kustomize v5.5.0) on a resource
// holding each input; the goldens under fixtures/stringify/ check the same end to end.

describe('plain scalars resolve as kustomize reads them (go-yaml v3, then JSON)', () => {
  const cases: [string, unknown][] = [
    ['on', 'on'],
    ['yes', 'yes'],
    ['No', 'No'],
    ['y', 'y'],
    ['true', true],
    ['True', true],
    ['FALSE', false],
    ['~', null],
    ['null', null],
    ['', null],
    ['0755', 493],
    ['0o755', 493],
    ['0x1F', 31],
    ['0b101', 5],
    ['+12', 12],
    ['-0', 0],
    ['1_000', 1000],
    ['1e3', 1000],
    ['1.10', 1.1],
    ['.5', 0.5],
    ['0789', 789],
    ['1e400', '1e400'],
    // JSON numbers are doubles here: integers past 2^53 keep their magnitude, not every digit.
    ['12345678901234567890', Number('12345678901234567890')],
    ['2001-12-14t21:59:43.10-05:00', '2001-12-14T21:59:43.1-05:00'],
    ['2001-12-14 21:59:43.10', '2001-12-14T21:59:43.1Z'],
    ['2002-12-14', '2002-12-14T00:00:00Z'],
    ['2002-1-2', '2002-01-02T00:00:00Z'],
    ['2001-12-14T21:59:43+00:00', '2001-12-14T21:59:43Z'],
    ['2002-02-30', '2002-02-30'],
    ['1:20', '1:20'],
    ['<<x', '<<x'],
    ['v1.10', 'v1.10'],
  ];
  for (const [text, expected] of cases) {
    it(`${JSON.stringify(text)} → ${JSON.stringify(expected)}`, () => {
      expect(parseYaml(`v: ${text}\n`)).toEqual({ v: expected });
    });
  }

  it('keeps quoted and block scalars as strings', () => {
    expect(parseYaml('a: "0755"\nb: \'on\'\nc: |\n  123\nd: >-\n  true\n')).toEqual({
      a: '0755',
      b: 'on',
      c: '123\n',
      d: 'true',
    });
  });

  it('honours explicit tags and decodes !!binary', () => {
    expect(
      parseYaml('a: !!str 123\nb: !!int "42"\nc: !!binary aGVsbG8=\nd: !Custom 12\ne: !!null x\n'),
    ).toEqual({
      a: '123',
      b: 42,
      c: 'hello',
      d: '12',
      e: null,
    });
  });

  it('refuses .inf and .nan, which have no JSON form (kustomize fails on them too)', () => {
    expect(() => parseYaml('a: .inf\n')).toThrow(
      expect.objectContaining({ code: 'PARSE_ERROR', line: 1, column: 4 }),
    );
    expect(() => parseYaml('a: -.Inf\n')).toThrow(expect.objectContaining({ code: 'PARSE_ERROR' }));
    expect(() => parseYaml('a: .NaN\n')).toThrow(expect.objectContaining({ code: 'PARSE_ERROR' }));
  });

  it('gives non-string keys the text kubectl gives them, and keeps words like on', () => {
    expect(parseYaml('1: a\n0x1F: b\nTrue: c\n~: d\n1.50: e\non: f\n2002-12-14: g\n')).toEqual({
      '1': 'a',
      '31': 'b',
      true: 'c',
      null: 'd',
      '1.5': 'e',
      on: 'f',
      '2002-12-14': 'g',
    });
  });

  it('normalizes only real timestamps', () => {
    expect(normalizeTimestamp('2024-02-29')).toBe('2024-02-29T00:00:00Z');
    expect(normalizeTimestamp('2023-02-29')).toBeUndefined();
    expect(normalizeTimestamp('2001-12-14T25:00:00Z')).toBeUndefined();
    expect(normalizeTimestamp('2001-12-14T21:59:43')).toBeUndefined();
    expect(normalizeTimestamp('2001-12-14T21:59:43.123456789123Z')).toBe('2001-12-14T21:59:43.123456789Z');
  });
});

describe('which strings kustomize quotes', () => {
  it('quotes YAML 1.1 booleans, nulls, numbers, timestamps and sexagesimals', () => {
    for (const s of [
      'on',
      'Off',
      'yes',
      'N',
      'true',
      'null',
      '~',
      '',
      '123',
      '1.10',
      '0755',
      '1_000',
      '.5',
      '.inf',
    ]) {
      expect(isAmbiguousPlainString(s), s).toBe(true);
    }
    for (const s of ['2002-12-14', '2002-12-14T00:00:00Z', '1:20', '-1:30:00']) {
      expect(isAmbiguousPlainString(s), s).toBe(true);
    }
    for (const s of ['hello', 'v1', 'onion', '1e400', '0x', '+', '.', '1.2.3', '2002-02-30', '<<']) {
      expect(isAmbiguousPlainString(s), s).toBe(false);
    }
  });

  it('writes quoting, escapes and block scalars as kustomize does', () => {
    expect(stringifyKubeYaml({ a: 'on', b: 'a: b', c: '*x', d: 'tab\there', e: 'hello ', f: '' })).toBe(
      'a: "on"\nb: \'a: b\'\nc: \'*x\'\nd: "tab\\there"\ne: \'hello \'\nf: ""\n',
    );
    expect(stringifyKubeYaml({ clip: 'a\nb\n', strip: 'a\nb', keep: 'a\n\n', lead: ' a\nb' })).toBe(
      'clip: |\n  a\n  b\nkeep: |+\n  a\n\nlead: |2-\n   a\n  b\nstrip: |-\n  a\n  b\n',
    );
  });

  it('writes empty collections in flow style and sequences unindented', () => {
    expect(stringifyKubeYaml({ a: {}, b: [], c: [[1, []], { d: null }] })).toBe(
      'a: {}\nb: []\nc:\n- - 1\n  - []\n- d: null\n',
    );
  });

  it('folds long plain scalars at 80 columns', () => {
    const words = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
    const out = stringifyKubeYaml({ k: words });
    const lines = out.split('\n');
    expect(lines.length).toBeGreaterThan(2);
    expect(lines[1]?.startsWith('  ')).toBe(true);
    expect(parseYaml(out)).toEqual({ k: words });
  });

  it('writes what it reads back (round trip) for tricky strings', () => {
    const values = [
      'on',
      ' x',
      'x ',
      'a\n b',
      'a \nb',
      '\ufeffx',
      'é😀',
      '\u2028',
      '- a',
      '? b',
      '#c',
      'd #e',
      '%',
      '\\',
    ];
    for (const v of values) expect(parseYaml(stringifyKubeYaml({ v }))).toEqual({ v });
  });
});

describe('numbers as kustomize writes them', () => {
  it('keeps integers and writes floats with Go %g rules', () => {
    expect(formatKubeYamlNumber(1000000)).toBe('1000000');
    expect(formatKubeYamlNumber(1234567.5)).toBe('1.2345675e+06');
    expect(formatKubeYamlNumber(0.0001)).toBe('0.0001');
    expect(formatKubeYamlNumber(0.00001)).toBe('1e-05');
    expect(formatKubeYamlNumber(1e-7)).toBe('1e-07');
    expect(formatKubeYamlNumber(1e21)).toBe('1e+21');
    expect(formatKubeYamlNumber(1e20)).toBe('1e+20');
    expect(formatKubeYamlNumber(2.5)).toBe('2.5');
    expect(formatKubeYamlNumber(-0)).toBe('0');
    expect(formatKubeYamlNumber(123456.7)).toBe('123456.7');
  });

  it('treats undefined as JSON does: absent in objects, null in arrays', () => {
    const value = { a: undefined, b: [undefined, 1] } as unknown as Parameters<typeof stringifyKubeYaml>[0];
    expect(stringifyKubeYaml(value)).toBe('b:\n- null\n- 1\n');
  });

  it('refuses numbers JSON cannot hold', () => {
    expect(() => formatKubeYamlNumber(Number.NaN)).toThrow();
    expect(() => stringifyKubeYaml({ a: Number.POSITIVE_INFINITY })).toThrow();
  });
});

describe('key order', () => {
  it('is go-yaml v2 natural order: numbers by value, non-letters before letters', () => {
    const keys = [
      'zeta',
      'item10',
      'item9',
      'Alpha',
      'alpha',
      '_x',
      '10',
      '9',
      'a_b',
      'ab',
      'apiVersion',
      'kind',
    ];
    expect([...keys].sort(compareKubeYamlKeys)).toEqual([
      '_x',
      '9',
      '10',
      'Alpha',
      'a_b',
      'ab',
      'alpha',
      'apiVersion',
      'item9',
      'item10',
      'kind',
      'zeta',
    ]);
  });

  it('is antisymmetric and puts apiVersion, kind, metadata, spec in kustomize order', () => {
    const keys = ['spec', 'metadata', 'kind', 'apiVersion', 'status', 'data'];
    for (const a of keys) {
      for (const b of keys)
        expect(Math.sign(compareKubeYamlKeys(a, b)) + Math.sign(compareKubeYamlKeys(b, a))).toBe(0);
    }
    expect([...keys].sort(compareKubeYamlKeys)).toEqual([
      'apiVersion',
      'data',
      'kind',
      'metadata',
      'spec',
      'status',
    ]);
  });
});
