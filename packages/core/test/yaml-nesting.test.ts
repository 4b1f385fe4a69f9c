import { describe, expect, it } from 'vitest';
import { ParseError, parseYamlDocuments } from '../src/index.js';
import { MAX_NESTING_DEPTH } from '../src/yaml-nesting-scan.js';

// The nesting limit at its edge, in every way YAML nests: 512 levels parse (with room to spare on
// the stack, also from deep in a caller's), 513 are refused before the parser recurses.

const forms: Record<string, (depth: number) => string> = {
  'flow sequences': (d) => `${'['.repeat(d)}${']'.repeat(d)}\n`,
  'flow mappings': (d) => `${'{a: '.repeat(d)}1${'}'.repeat(d)}\n`,
  'block mappings, one per line': (d) =>
    `${Array.from({ length: d }, (_, i) => `${'  '.repeat(i)}a:`).join('\n')} 1\n`,
  'block sequences, one per line': (d) =>
    `${Array.from({ length: d }, (_, i) => `${' '.repeat(i)}-`).join('\n')} 1\n`,
  'block sequences on one line': (d) => `${'- '.repeat(d)}1\n`,
  'sequences of mappings at their keys’ indentation': (d) =>
    `${['r:', ...Array.from({ length: (d - 1) / 2 }, (_, i) => `${'  '.repeat(i)}- a:`)].join('\n')} 1\n`,
};

function depthOf(value: unknown): number {
  let depth = 0;
  let v = value;
  while (typeof v === 'object' && v !== null) {
    v = Array.isArray(v) ? v[0] : Object.values(v)[0];
    depth++;
  }
  return depth;
}

/** Runs `fn` under `frames` frames of the caller's own recursion. */
function underFrames<T>(frames: number, fn: () => T): T {
  return frames === 0 ? fn() : underFrames(frames - 1, fn);
}

describe('the YAML nesting limit', () => {
  it('is 512 levels', () => {
    expect(MAX_NESTING_DEPTH).toBe(512);
  });

  for (const [name, make] of Object.entries(forms)) {
    const at = name.startsWith('sequences of mappings') ? 511 : 512;
    it(`${name}: ${at} levels parse, one more is a YAML_LIMIT_EXCEEDED naming the file`, () => {
      const docs = underFrames(2000, () => parseYamlDocuments(make(at), { file: 'deep.yaml' }));
      expect(depthOf(docs[0]?.value)).toBe(at);
      const deeper = name.startsWith('sequences of mappings') ? at + 2 : at + 1;
      let err: unknown;
      try {
        parseYamlDocuments(make(deeper), { file: 'deep.yaml' });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ParseError);
      expect(err).toMatchObject({
        code: 'YAML_LIMIT_EXCEEDED',
        file: 'deep.yaml',
        details: { limit: 'nesting' },
      });
    });
  }

  it('counts a new document from nothing', () => {
    const half = forms['block mappings, one per line'] as (d: number) => string;
    const text = `${half(300)}---\n${half(300)}`;
    expect(parseYamlDocuments(text)).toHaveLength(2);
  });
});
