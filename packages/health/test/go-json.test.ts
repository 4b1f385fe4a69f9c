import { describe, expect, it } from 'vitest';
import { decodeHpaConditions, goJsonSyntaxError } from '../src/builtin/go-json.js';

// Go's encoding/json as gitops-engine's HPA rule meets it (json.Unmarshal of the autoscaling/v1
// conditions annotation into []hpaCondition). Each expectation follows from Go's scanner
// (encoding/json/scanner.go: one state per byte, `invalid character <quoteChar(c)> <context>`,
// eof() feeding a space) and decoder (case-folded field names, nulls ignored, UnmarshalTypeError
// texts), and from strconv.Quote for the character named in a syntax error.

const empty = { type: '', status: '', reason: '', message: '' };

describe("Go's JSON scanner", () => {
  it('accepts well-formed documents: every space, number, literal, escape and nesting form', () => {
    const valid = [
      ' \t\r\n[\t{\r"type"\n:\t"x"\r,\n"a" : 1 }\n,\tnull\r]\n ',
      '[]',
      '[ ]',
      '{}',
      '{ }',
      '[{}, { }, [], [ ], [[1], [2]], {"a": {"b": []}}]',
      '[0, -0, -1, 10, 0.5, 1.25, 1e5, 1E5, 1e+5, 1e-5, 0e1, 0E1, 0.5e-10, -0.5E+3, 123456789, 9.75e9]',
      // Each digit range at both ends: 0 and 9 first, and after the first digit.
      '[-9, 1.0, 1.9, 1.00, 1.09, 1e0, 1e9, 1e00, 1e19, 1.5E+09]',
      '[true, false, null]',
      '["a b", "~", "é€😀", "\u007f"]',
      '["\\b\\f\\n\\r\\t\\\\\\/\\""]',
      '["\\u0000\\u9999\\uaaaa\\uffff\\uAAAA\\uFFFF\\u0041x"]',
      '7',
      '-1.5e3 ',
      '"s"',
      'true',
      'null',
      `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
    ];
    for (const text of valid) expect(goJsonSyntaxError(text), JSON.stringify(text)).toBeUndefined();
  });

  it('names the structural error where it happens', () => {
    const cases: [string, string][] = [
      ['[01]', "invalid character '1' after array element"],
      ['[1 2]', "invalid character '2' after array element"],
      ['[1}', "invalid character '}' after array element"],
      ['[[]1]', "invalid character '1' after array element"],
      ['[,]', "invalid character ',' looking for beginning of value"],
      ['{"a":}', "invalid character '}' looking for beginning of value"],
      ['{"a"}', "invalid character '}' after object key"],
      ['{"a":1]', "invalid character ']' after object key:value pair"],
      ['{"a":{}]', "invalid character ']' after object key:value pair"],
      ['{1:2}', "invalid character '1' looking for beginning of object key string"],
      ['{"a":1,,}', "invalid character ',' looking for beginning of object key string"],
      ['1x', "invalid character 'x' after top-level value"],
      ['[1]x', "invalid character 'x' after top-level value"],
      ['{} {}', "invalid character '{' after top-level value"],
      ['[] x', "invalid character 'x' after top-level value"],
      ['1 x', "invalid character 'x' after top-level value"],
      ['"s" x', "invalid character 'x' after top-level value"],
      ['true\nx', "invalid character 'x' after top-level value"],
      ['[1"', `invalid character '"' after array element`],
      ['[\\]', "invalid character '\\\\' looking for beginning of value"],
      ['[\u007f]', "invalid character '\\x7f' looking for beginning of value"],
      ['[~]', "invalid character '~' looking for beginning of value"],
      ['"abc', 'unexpected end of JSON input'],
      ['{"a"', 'unexpected end of JSON input'],
      ['{"a":', 'unexpected end of JSON input'],
      ['[1', 'unexpected end of JSON input'],
      ['[[]', 'unexpected end of JSON input'],
      ['['.repeat(10_000), 'unexpected end of JSON input'],
      ['{"a":'.repeat(10_001), "invalid character '{' exceeded max depth"],
    ];
    for (const [text, err] of cases) expect(goJsonSyntaxError(text), JSON.stringify(text)).toBe(err);
  });

  it('names the error in a number, literal or string, at the end of the input too', () => {
    const cases: [string, string][] = [
      ['[-a]', "invalid character 'a' in numeric literal"],
      ['-', "invalid character ' ' in numeric literal"],
      ['[1.a]', "invalid character 'a' after decimal point in numeric literal"],
      ['[1e+]', "invalid character ']' in exponent of numeric literal"],
      ['[1e+a]', "invalid character 'a' in exponent of numeric literal"],
      ['[1.5ea]', "invalid character 'a' in exponent of numeric literal"],
      ['1e', "invalid character ' ' in exponent of numeric literal"],
      ['[1.5.2]', "invalid character '.' after array element"],
      ['tx', "invalid character 'x' in literal true (expecting 'r')"],
      ['trx', "invalid character 'x' in literal true (expecting 'u')"],
      ['trux', "invalid character 'x' in literal true (expecting 'e')"],
      ['tru', "invalid character ' ' in literal true (expecting 'e')"],
      ['fx', "invalid character 'x' in literal false (expecting 'a')"],
      ['fax', "invalid character 'x' in literal false (expecting 'l')"],
      ['falx', "invalid character 'x' in literal false (expecting 's')"],
      ['falsx', "invalid character 'x' in literal false (expecting 'e')"],
      ['nx', "invalid character 'x' in literal null (expecting 'u')"],
      ['nux', "invalid character 'x' in literal null (expecting 'l')"],
      ['nulx', "invalid character 'x' in literal null (expecting 'l')"],
      ['"\\a"', "invalid character 'a' in string escape code"],
      ['"\\U0041"', "invalid character 'U' in string escape code"],
      ['"\\u12"', `invalid character '"' in \\u hexadecimal character escape`],
      ['"\\u000g"', "invalid character 'g' in \\u hexadecimal character escape"],
      ['"\\u/000"', "invalid character '/' in \\u hexadecimal character escape"],
      ['"\\u:000"', "invalid character ':' in \\u hexadecimal character escape"],
      ['"\\u`000"', "invalid character '`' in \\u hexadecimal character escape"],
      ['"\\u@000"', "invalid character '@' in \\u hexadecimal character escape"],
      ['"\\uG000"', "invalid character 'G' in \\u hexadecimal character escape"],
    ];
    for (const [text, err] of cases) expect(goJsonSyntaxError(text), JSON.stringify(text)).toBe(err);
  });

  it('quotes a control character in a string as strconv.Quote does', () => {
    const cases: [number, string][] = [
      [0x00, '\\x00'],
      [0x07, '\\a'],
      [0x08, '\\b'],
      [0x09, '\\t'],
      [0x0a, '\\n'],
      [0x0b, '\\v'],
      [0x0c, '\\f'],
      [0x0d, '\\r'],
      [0x1b, '\\x1b'],
      [0x1f, '\\x1f'],
    ];
    for (const [code, quoted] of cases) {
      const text = `["a${String.fromCharCode(code)}"]`;
      expect(goJsonSyntaxError(text), JSON.stringify(text)).toBe(
        `invalid character '${quoted}' in string literal`,
      );
    }
  });

  it('names the first UTF-8 byte of a non-ASCII character, as Latin-1', () => {
    // U+FFFD stands for a lone surrogate (Go holds the annotation as UTF-8).
    const cases: [string, string][] = [
      ['\u0080', 'Â'], // C2 80
      ['é', 'Ã'], // C3 A9
      ['\u07ff', 'ß'], // DF BF
      ['\u0800', 'à'], // E0 A0 80
      ['€', 'â'], // E2 82 AC
      ['\ud7ff', 'í'], // ED 9F BF
      ['\ud800', 'ï'], // EF BF BD
      ['\udfff', 'ï'],
      ['\ue000', 'î'], // EE 80 80
      ['\uffff', 'ï'], // EF BF BF
      ['😀', 'ð'], // F0 9F 98 80
      ['\u{10ffff}', 'ô'], // F4 8F BF BF
    ];
    for (const [ch, lead] of cases) {
      expect(goJsonSyntaxError(ch), ch).toBe(`invalid character '${lead}' looking for beginning of value`);
      expect(goJsonSyntaxError(`[1${ch}]`), ch).toBe(`invalid character '${lead}' after array element`);
    }
    expect(goJsonSyntaxError('[]é')).toBe("invalid character 'Ã' after top-level value");
  });
});

describe("Go's decoding into []hpaCondition", () => {
  it('reads every field through any spacing', () => {
    expect(
      decodeHpaConditions(
        ' \n[ { "type" :\t"AbleToScale" ,\r"status" : "True" , "reason":"R", "message" : "M" } , { } , null ]\n',
      ),
    ).toEqual({
      conditions: [{ type: 'AbleToScale', status: 'True', reason: 'R', message: 'M' }, empty, empty],
    });
    expect(decodeHpaConditions(' null ')).toEqual({ conditions: [] });
    expect(decodeHpaConditions('[ ]')).toEqual({ conditions: [] });
    expect(decodeHpaConditions('[null,null]')).toEqual({ conditions: [empty, empty] });
    expect(decodeHpaConditions('[{},null]')).toEqual({ conditions: [empty, empty] });
  });

  it('unquotes escapes, and replaces unpaired surrogates as Go does', () => {
    const message = (text: string) => {
      const out = decodeHpaConditions(`[{"message":"${text}"}]`);
      return 'conditions' in out ? out.conditions[0]?.message : out.error;
    };
    expect(message('a\\"b\\\\c\\/\\u0041\\n')).toBe('a"b\\c/A\n');
    expect(message('\\ud83d\\ude00')).toBe('😀');
    expect(message('\\ud800')).toBe('\ufffd');
    expect(message('x\\udc00')).toBe('x\ufffd');
    expect(message('\\ud800\\ud800\\udc00')).toBe('\ufffd\u{10000}');
  });

  it('skips unknown keys whatever their value, strings with brackets and quotes included', () => {
    expect(
      decodeHpaConditions(
        '[{"x":"}]\\"","a":{"b":["}",{"c":"]"}],"d":[]},"n":-1.5e3,"t":true,"f":false,"z":null,"type":"T","y":12 }]',
      ),
    ).toEqual({ conditions: [{ ...empty, type: 'T' }] });
    expect(decodeHpaConditions('[{"type":"T","k":7},{"k":[1,[2]],"status":"S"}]')).toEqual({
      conditions: [
        { ...empty, type: 'T' },
        { ...empty, status: 'S' },
      ],
    });
    // An unknown key with a string value adds nothing.
    expect(decodeHpaConditions('[{"kind":"x"}]')).toEqual({ conditions: [empty] });
  });

  it('matches keys case-insensitively (ſ folds to S), and a null leaves the field as it was', () => {
    expect(decodeHpaConditions('[{"tYpE":"a","STATUS":"b","Reason":"c","mEsSaGe":"d"}]')).toEqual({
      conditions: [{ type: 'a', status: 'b', reason: 'c', message: 'd' }],
    });
    expect(decodeHpaConditions('[{"ſtatuſ":"True"}]')).toEqual({
      conditions: [{ ...empty, status: 'True' }],
    });
    // ß has no single upper-case letter in Go: "meßage" is no field, though JavaScript upper-cases it to "MESSAGE".
    expect(decodeHpaConditions('[{"meßage":"m"}]')).toEqual({ conditions: [empty] });
    expect(decodeHpaConditions('[{"type":"a","type":null}]')).toEqual({
      conditions: [{ ...empty, type: 'a' }],
    });
    expect(decodeHpaConditions('[{"type":null}]')).toEqual({ conditions: [empty] });
  });

  it('gives the type error of the first value of the wrong type', () => {
    const cases: [string, string][] = [
      ['true', 'json: cannot unmarshal bool into Go value of type []health.hpaCondition'],
      ['-1', 'json: cannot unmarshal number into Go value of type []health.hpaCondition'],
      ['[false]', 'json: cannot unmarshal bool into Go value of type health.hpaCondition'],
      ['[{}, -2]', 'json: cannot unmarshal number into Go value of type health.hpaCondition'],
      [
        '[{"type":true}]',
        'json: cannot unmarshal bool into Go struct field hpaCondition.Type of type string',
      ],
      [
        '[{"type":null,"status":1}]',
        'json: cannot unmarshal number into Go struct field hpaCondition.Status of type string',
      ],
      [
        '[{"type":"a"},{"reason":{}}]',
        'json: cannot unmarshal object into Go struct field hpaCondition.Reason of type string',
      ],
      [
        '[{"message":[1]}]',
        'json: cannot unmarshal array into Go struct field hpaCondition.Message of type string',
      ],
    ];
    for (const [text, err] of cases) expect(decodeHpaConditions(text), text).toEqual({ error: err });
  });

  it('gives the syntax error before any type error', () => {
    expect(decodeHpaConditions('[{"type":1},]')).toEqual({
      error: "invalid character ']' looking for beginning of value",
    });
  });
});
