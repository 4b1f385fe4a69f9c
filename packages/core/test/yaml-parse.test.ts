import { describe, expect, it } from 'vitest';
import {
  DEFAULT_YAML_LIMITS,
  deepCopyJson,
  isGitOpsError,
  type JsonValue,
  ParseError,
  parseYaml,
  parseYamlDocuments,
  stringifyKubeYaml,
  type YamlDocument,
} from '../src/index.js';

function parseError(fn: () => unknown): ParseError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ParseError);
    return err as ParseError;
  }
  throw new Error('expected a ParseError');
}

const deployment = `# a comment
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx:1.27
        ports:
        - containerPort: 80
      - name: sidecar
        image:   "busybox"
`;

describe('parseYamlDocuments: documents and positions', () => {
  it('parses a document to plain JSON with its start line', () => {
    const [doc] = parseYamlDocuments(deployment, { file: 'web.yaml' });
    expect(doc?.value).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80 }] },
              { name: 'sidecar', image: 'busybox' },
            ],
          },
        },
      },
    });
    expect(doc?.line).toBe(2);
    expect(doc?.file).toBe('web.yaml');
    expect(doc?.index).toBe(0);
  });

  it('reports the line and column of any field path', () => {
    const [doc] = parseYamlDocuments(deployment) as [YamlDocument];
    expect(doc.positionOf(['spec', 'template', 'spec', 'containers', 0, 'image'])).toEqual({
      line: 11,
      column: 16,
    });
    expect(doc.positionOf(['spec', 'template', 'spec', 'containers', 1, 'image'])).toEqual({
      line: 15,
      column: 18,
    });
    expect(
      doc.positionOf(['spec', 'template', 'spec', 'containers', 0, 'ports', 0, 'containerPort']),
    ).toEqual({
      line: 13,
      column: 26,
    });
    expect(doc.positionOf(['spec', 'template', 'spec', 'containers', 1])).toEqual({ line: 14, column: 9 });
    expect(doc.positionOf([])).toEqual({ line: 2, column: 1 });
    expect(doc.positionOf(['spec', 'missing'])).toBeUndefined();
    expect(doc.positionOf(['spec', 'template', 'spec', 'containers', 7])).toBeUndefined();
    expect(doc.positionOf(['metadata', 'name', 'deeper'])).toBeUndefined();
  });

  it('points at the key when a field has no value', () => {
    const [doc] = parseYamlDocuments('a:\n  b:\n  c: 1\n') as [YamlDocument];
    expect(doc.value).toEqual({ a: { b: null, c: 1 } });
    expect(doc.positionOf(['a', 'b'])).toEqual({ line: 2, column: 3 });
  });

  it('follows aliases and merge keys when locating fields', () => {
    const text = 'base: &b\n  image: x\n  tag: "1"\nuse:\n  <<: *b\n  tag: "2"\nref: *b\n';
    const [doc] = parseYamlDocuments(text) as [YamlDocument];
    expect(doc.value).toEqual({
      base: { image: 'x', tag: '1' },
      use: { image: 'x', tag: '2' },
      ref: { image: 'x', tag: '1' },
    });
    expect(doc.positionOf(['use', 'tag'])).toEqual({ line: 6, column: 8 });
    expect(doc.positionOf(['use', 'image'])).toEqual({ line: 2, column: 10 });
    expect(doc.positionOf(['ref', 'tag'])).toEqual({ line: 3, column: 8 });
  });

  it('skips empty documents but counts them in index, and gives each its own positions', () => {
    const text = '# header\n---\na: 1\n---\n---\n# only a comment\n---\nb:\n  c: 2\n...\n---\nd: 3\n';
    const docs = parseYamlDocuments(text, { file: 'multi.yaml' });
    expect(docs.map((d) => d.value)).toEqual([{ a: 1 }, { b: { c: 2 } }, { d: 3 }]);
    // A comment before the first `---` is not a document of its own (YAML 1.2 §9.2).
    expect(docs.map((d) => d.index)).toEqual([0, 3, 4]);
    expect(docs.map((d) => d.line)).toEqual([3, 8, 12]);
    expect(docs[1]?.positionOf(['b', 'c'])).toEqual({ line: 9, column: 6 });
  });

  it('gives nothing for an empty stream', () => {
    expect(parseYamlDocuments('')).toEqual([]);
    expect(parseYamlDocuments('# nothing\n---\n')).toEqual([]);
  });
});

describe('parseYamlDocuments: errors carry file, line and column', () => {
  it('reports a syntax error where it is', () => {
    const err = parseError(() =>
      parseYamlDocuments('apiVersion: v1\nkind: ConfigMap\ndata:\n  a: [1, 2\n  b: 3\n', { file: 'cm.yaml' }),
    );
    expect(err.code).toBe('PARSE_ERROR');
    expect(err.file).toBe('cm.yaml');
    expect(err.line).toBeGreaterThanOrEqual(4);
    expect(err.column).toBeGreaterThanOrEqual(1);
    expect(err.message).toMatch(/^cm\.yaml:\d+:\d+: /);
  });

  it('reports a bad field (a value with no JSON form) at its line and column with its path', () => {
    const text = 'apiVersion: v1\nkind: Probe\nspec:\n  limits:\n  - ratio: .inf\n';
    const err = parseError(() => parseYamlDocuments(text, { file: 'p.yaml' }));
    expect(err.code).toBe('PARSE_ERROR');
    expect(err.line).toBe(5);
    expect(err.column).toBe(12);
    expect(err.path).toBe('spec.limits[0].ratio');
    expect(err.message).toContain('p.yaml:5:12');
  });

  it('reports a mis-indented mapping at its line', () => {
    const err = parseError(() => parseYamlDocuments('a:\n  b: 1\n c: 2\n'));
    expect(err.line).toBe(3);
  });

  it('rejects tabs used for indentation', () => {
    expect(() => parseYamlDocuments('a:\n\tb: 1\n')).toThrow(ParseError);
  });

  it('rejects an unknown alias', () => {
    const err = parseError(() => parseYamlDocuments('a: *nope\n'));
    expect(err.line).toBe(1);
  });
});

describe('continuation lines indented less than the spec asks (go-yaml reads them)', () => {
  it('reads quoted scalars and flow collections continued at the margin', () => {
    const text = 'data:\n  a: "one\ntwo"\n  b: {x: 1,\ny: [2,\n3]}\n  c: ok\n';
    const [doc] = parseYamlDocuments(text) as [YamlDocument];
    expect(doc.value).toEqual({ data: { a: 'one two', b: { x: 1, y: [2, 3] }, c: 'ok' } });
    expect(doc.positionOf(['data', 'c'])).toEqual({ line: 7, column: 6 });
  });

  it('still reports real syntax errors where they are', () => {
    // An unterminated quote: the library notices at the end of the input.
    const err = parseError(() => parseYamlDocuments('data:\n  a: "one\ntwo\n  b: 1\n'));
    expect(err.code).toBe('PARSE_ERROR');
    expect(err.message).toMatch(/quote/);
    expect(err.line).toBe(5);
  });
});

describe('duplicate keys', () => {
  it('are an error with the key path, its line and the first definition', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\ndata:\n  a: "1"\n  b: "2"\n  a: "3"\n';
    const err = parseError(() => parseYamlDocuments(text, { file: 'cm.yaml' }));
    expect(err.code).toBe('DUPLICATE_KEY');
    expect(err.path).toBe('data.a');
    expect(err.line).toBe(6);
    expect(err.column).toBe(3);
    expect(err.details).toMatchObject({ key: 'a', firstLine: 4 });
    expect(err.message).toContain('mapping key "a" already defined at line 4');
  });

  it('are found at any depth and in sequences of maps', () => {
    const err = parseError(() => parseYamlDocuments('list:\n- name: x\n  name: y\n'));
    expect(err.code).toBe('DUPLICATE_KEY');
    expect(err.path).toBe('list[0].name');
  });

  it('count keys that differ only in spelling of the same string', () => {
    const err = parseError(() => parseYamlDocuments('"a": 1\na: 2\n'));
    expect(err.code).toBe('DUPLICATE_KEY');
  });

  it('can keep the last value instead, as kustomize reads kustomization files', () => {
    const text = 'literals:\n- a=1\nname: x\nliterals:\n- b=2\n';
    const [doc] = parseYamlDocuments(text, { duplicateKeys: 'last' }) as [YamlDocument];
    expect(doc.value).toEqual({ literals: ['b=2'], name: 'x' });
    expect(doc.positionOf(['literals', 0])).toEqual({ line: 5, column: 3 });
  });

  it('are not raised for keys that override a merge', () => {
    expect(parseYaml('b: &b {x: 1}\nc:\n  <<: *b\n  x: 2\n')).toEqual({ b: { x: 1 }, c: { x: 2 } });
  });
});

describe('limits', () => {
  it('has documented defaults', () => {
    expect(DEFAULT_YAML_LIMITS).toEqual({
      maxAliasCount: 100,
      maxDocumentBytes: 8 * 1024 * 1024,
      maxDocuments: 10_000,
    });
  });

  it('stops a billion-laughs document with YAML_LIMIT_EXCEEDED', () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    const names = 'abcdefghi';
    for (let i = 1; i < names.length; i++) {
      const prev = names[i - 1];
      lines.push(`${names[i]}: &${names[i]} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const err = parseError(() => parseYamlDocuments(`${lines.join('\n')}\n`, { file: 'lol.yaml' }));
    expect(err.code).toBe('YAML_LIMIT_EXCEEDED');
    expect(err.file).toBe('lol.yaml');
    expect(err.details).toMatchObject({ limit: 'maxAliasCount' });
    expect(err.line).toBeGreaterThan(1);
  });

  it('stops one anchor of a large node referenced many times', () => {
    // Five aliases are allowed, but each may expand to 10 000 nodes on average, not 12 000.
    const big = `[${Array.from({ length: 12_000 }, (_, i) => i).join(',')}]`;
    const refs = Array.from({ length: 5 }, (_, i) => `r${i}: *big`).join('\n');
    const err = parseError(() =>
      parseYamlDocuments(`big: &big ${big}\n${refs}\n`, { limits: { maxAliasCount: 5 } }),
    );
    expect(err.code).toBe('YAML_LIMIT_EXCEEDED');
  });

  it('allows the aliases real manifests use', () => {
    const value = parseYaml('x: &x {a: 1}\ny: *x\nz: *x\n');
    expect(value).toEqual({ x: { a: 1 }, y: { a: 1 }, z: { a: 1 } });
  });

  it('counts aliases against a lower limit', () => {
    const err = parseError(() => parseYaml('x: &x 1\ny: [*x, *x, *x]\n', { limits: { maxAliasCount: 2 } }));
    expect(err.code).toBe('YAML_LIMIT_EXCEEDED');
  });

  it('refuses an oversized document before parsing it', () => {
    const huge = `data: "${'x'.repeat(DEFAULT_YAML_LIMITS.maxDocumentBytes)}"\n`;
    const err = parseError(() => parseYamlDocuments(huge, { file: 'huge.yaml' }));
    expect(err.code).toBe('YAML_LIMIT_EXCEEDED');
    expect(err.details).toMatchObject({ limit: 'maxDocumentBytes' });
    expect(err.file).toBe('huge.yaml');
  });

  it('measures documents in UTF-8 bytes and reports which document is too large', () => {
    const text = `a: 1\n---\nb: "${'é'.repeat(60)}"\n`;
    const err = parseError(() => parseYamlDocuments(text, { limits: { maxDocumentBytes: 100 } }));
    expect(err.code).toBe('YAML_LIMIT_EXCEEDED');
    expect(err.line).toBe(2);
    expect(parseYamlDocuments(text, { limits: { maxDocumentBytes: 200 } })).toHaveLength(2);
  });

  it('refuses nesting deep enough to stall the parser, before parsing', () => {
    for (const text of [`a: ${'['.repeat(5000)}`, `a: ${'- '.repeat(5000)}x`, `${'k: '.repeat(5000)}x`]) {
      const err = parseError(() => parseYamlDocuments(text, { file: 'deep.yaml' }));
      expect(err.code).toBe('YAML_LIMIT_EXCEEDED');
      expect(err.details).toMatchObject({ limit: 'nesting' });
      expect(err.line).toBe(1);
    }
  });

  it('does not mistake brackets in quoted scalars and comments for nesting', () => {
    const brackets = '['.repeat(2000);
    const text = `a: "${brackets}"\nb: '${brackets}'\n# ${brackets}\nc: it's ${brackets}\n`;
    expect(parseYaml(text)).toEqual({ a: brackets, b: brackets, c: `it's ${brackets}` });
  });

  it('refuses too many documents', () => {
    const text = 'a: 1\n---\n'.repeat(DEFAULT_YAML_LIMITS.maxDocuments + 1);
    const err = parseError(() => parseYamlDocuments(text));
    expect(err.code).toBe('YAML_LIMIT_EXCEEDED');
    expect(err.details).toMatchObject({ limit: 'maxDocuments' });
    expect(() => parseYamlDocuments('a: 1\n---\nb: 2\n---\nc: 3\n', { limits: { maxDocuments: 2 } })).toThrow(
      expect.objectContaining({ code: 'YAML_LIMIT_EXCEEDED' }),
    );
    expect(parseYamlDocuments('a: 1\n---\nb: 2\n', { limits: { maxDocuments: 2 } })).toHaveLength(2);
  });

  it('refuses nonsense limits', () => {
    expect(() => parseYaml('a: 1', { limits: { maxDocuments: -1 } })).toThrow(ParseError);
  });
});

describe('parseYaml', () => {
  it('returns the single document, null for none, and refuses several', () => {
    expect(parseYaml('a: 1\n')).toEqual({ a: 1 });
    expect(parseYaml('')).toBeNull();
    expect(parseYaml('# only a comment\n')).toBeNull();
    const err = parseError(() => parseYaml('a: 1\n---\nb: 2\n', { file: 'two.yaml' }));
    expect(err.code).toBe('PARSE_ERROR');
    expect(err.line).toBe(3);
  });

  it('keeps __proto__ as data, never as a prototype', () => {
    const value = parseYaml('__proto__: {polluted: true}\nb: {<<: {__proto__: 1}}\n') as Record<
      string,
      unknown
    >;
    expect(Object.keys(value)).toEqual(['__proto__', 'b']);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(value)).toBe('{"__proto__":{"polluted":true},"b":{"__proto__":1}}');
    expect(JSON.stringify(deepCopyJson(value as JsonValue))).toBe(JSON.stringify(value));
    expect(stringifyKubeYaml(value as JsonValue)).toBe('__proto__:\n  polluted: true\nb:\n  __proto__: 1\n');
  });

  it('parses JSON, which is YAML', () => {
    expect(parseYaml('{"a": [1, 2.5, "x", null, true], "b": {}}')).toEqual({
      a: [1, 2.5, 'x', null, true],
      b: {},
    });
  });

  it('never lets a TypeError escape on bad input', () => {
    for (const bad of [
      '? [a]\n: 1\n',
      '[a, b\n',
      'a: b: c\n',
      '"unterminated\n',
      'a: !!binary "%%%"\n',
      'a: !!int x\n',
    ]) {
      // Each of these is refused, and the refusal is typed: a ParseError carrying a position.
      const err = parseError(() => parseYamlDocuments(bad));
      expect(isGitOpsError(err)).toBe(true);
      expect(err.code).toBe('PARSE_ERROR');
      expect(err.line).toBeGreaterThan(0);
    }
  });
});
