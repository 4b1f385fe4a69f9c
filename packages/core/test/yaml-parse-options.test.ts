import { describe, expect, it } from 'vitest';
import { ParseError, parseYaml, parseYamlDocuments, stringifyKubeYaml } from '../src/index.js';

describe("parseYaml bigIntegers: 'bigint'", () => {
  it('keeps integers beyond 2^53 exact as bigint, and safe ones as numbers', () => {
    const value = parseYaml(
      'a: 9007199254740993\nb: 42\nc: -9223372036854775808\nd: 18446744073709551615\n',
      {
        bigIntegers: 'bigint',
      },
    );
    expect(value).toEqual({
      a: 9007199254740993n,
      b: 42,
      c: -9223372036854775808n,
      d: 18446744073709551615n,
    });
  });

  it('rounds them to numbers by default, so the value stays JSON', () => {
    const value = parseYaml('a: 9007199254740993\n') as { a: unknown };
    expect(typeof value.a).toBe('number');
    expect(JSON.stringify(value)).toBe('{"a":9007199254740992}');
  });

  it('reads hex, octal, binary and underscores exactly, as Go does', () => {
    const value = parseYaml(
      'hex: 0xFFFFFFFFFFFFFFFF\noctal: 0777777777777777777777\nbin: 0b100000000000000000000000000000000000000000000000000000001\nus: 12_345_678_901_234_567\ntagged: !!int 98765432109876543\n',
      { bigIntegers: 'bigint' },
    );
    expect(value).toEqual({
      hex: 2n ** 64n - 1n,
      octal: 2n ** 63n - 1n,
      bin: 2n ** 56n + 1n,
      us: 12345678901234567n,
      tagged: 98765432109876543n,
    });
  });

  it('leaves integers that fit no 64-bit type as floats, as Go does', () => {
    // Beyond uint64; a signed value beyond int64 (ParseUint takes no sign).
    const value = parseYaml('a: 18446744073709551616\nb: +12345678901234567891\nc: -9223372036854775809\n', {
      bigIntegers: 'bigint',
    }) as Record<string, unknown>;
    expect(Object.values(value).map((v) => typeof v)).toEqual(['number', 'number', 'number']);
  });

  it('keeps quoted digits strings', () => {
    expect(parseYaml('a: "98765432109876543"\n', { bigIntegers: 'bigint' })).toEqual({
      a: '98765432109876543',
    });
  });

  it('gives values JSON.stringify refuses (they are not JSON)', () => {
    const [doc] = parseYamlDocuments('a: 9007199254740993\n', { bigIntegers: 'bigint' });
    expect(() => JSON.stringify(doc?.value)).toThrow(TypeError);
  });

  it('still refuses a non-integer !!int', () => {
    expect(() => parseYaml('a: !!int x\n', { bigIntegers: 'bigint' })).toThrow(ParseError);
  });
});

describe('stringifyKubeYaml with bigint', () => {
  it('writes 64-bit integers digit for digit', () => {
    expect(
      stringifyKubeYaml({ a: 9007199254740993n, b: [-9223372036854775808n, 18446744073709551615n] }),
    ).toBe('a: 9007199254740993\nb:\n- -9223372036854775808\n- 18446744073709551615\n');
  });

  it('writes a bigint beyond 64 bits as Go writes the float it becomes', () => {
    expect(stringifyKubeYaml(2n ** 64n)).toBe('1.8446744073709552e+19\n');
  });

  it('round-trips parse and stringify exactly', () => {
    const text = 'id: 1152921504606846977\nlist:\n- 12345678901234567\n- -12345678901234567\n';
    expect(stringifyKubeYaml(parseYaml(text, { bigIntegers: 'bigint' }))).toBe(text);
  });
});

describe("duplicateKeys: 'first'", () => {
  it('keeps the first value of a repeated key, as kustomize reads patches', () => {
    const [doc] = parseYamlDocuments('data:\n  y: "1"\n  y: "3"\n', { duplicateKeys: 'first' });
    expect(doc?.value).toEqual({ data: { y: '1' } });
    expect(doc?.positionOf(['data', 'y'])).toEqual({ line: 2, column: 6 });
  });
});
