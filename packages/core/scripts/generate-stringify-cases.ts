/**
 * Writes generated stringifier cases under test/fixtures/stringify/generated-* (input.yaml and
 * kustomization.yaml): strings assembled at random, from a fixed seed, out of the pieces that make
 * YAML quoting, escaping and folding hard. Deterministic; run it, then regenerate-goldens.sh.
 *
 *   pnpm tsx packages/core/scripts/generate-stringify-cases.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pick, mulberry32 as prng } from '../test/random.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'stringify');

// Pieces that touch every rule of the emitter: YAML 1.1 words, numbers, indicators at the start
// and inside, spaces at the ends, breaks, tabs, quotes, non-ASCII, and long words for folding.
// DEL, C1 controls and U+FFFE/U+FFFF are left out: kustomize itself fails on them.
const PIECES = [
  'on',
  'yes',
  'No',
  'y',
  'true',
  'null',
  '~',
  '0755',
  '0o17',
  '0x1F',
  '1.10',
  '1e3',
  '12',
  '-3',
  '.5',
  '1_000',
  '2001-12-14',
  '1:20',
  '.inf',
  ': ',
  ':',
  ' #',
  '#',
  '- ',
  '-',
  '? ',
  '?',
  ',',
  '[',
  ']',
  '{',
  '}',
  '*',
  '&',
  '!',
  '%',
  '@',
  '`',
  '|',
  '>',
  "'",
  '"',
  '\\',
  '\t',
  '\n',
  '\n\n',
  ' ',
  '  ',
  '\r',
  'é',
  '日本',
  '😀',
  '\u2028',
  '\u00a0',
  '\u0085',
  '\u0007',
  '\ufeff',
  'word',
  'hello world',
  '---',
  '...',
  'a',
  'b',
  'c',
  'http://x.y/z?q=1',
  'abcdefghijklmnopqrstuvwxyz',
  'lorem ipsum dolor sit amet',
];

/**
 * A raw NEL in `encoding/json` text is a line break to go-yaml, so `---` or `...` right after it
 * is read as a document marker and kustomize fails; such strings are not cases for a golden.
 */
function kustomizeCanWrite(s: string): boolean {
  return !/\u0085(?:---|\.\.\.)/.test(s);
}

function randomString(rand: () => number, long: boolean): string {
  for (;;) {
    const s = randomStringOnce(rand, long);
    if (kustomizeCanWrite(s)) return s;
  }
}

function randomStringOnce(rand: () => number, long: boolean): string {
  const count = long ? 10 + Math.floor(rand() * 40) : 1 + Math.floor(rand() * 4);
  let s = '';
  for (let i = 0; i < count; i++) {
    // Long strings are mostly words and spaces, so that folding has places to break.
    if (long && rand() < 0.7)
      s += rand() < 0.5 ? ' ' : ['word', 'lorem', 'ipsum', 'x', 'yy'][Math.floor(rand() * 5)];
    else s += PIECES[Math.floor(rand() * PIECES.length)];
  }
  return s;
}

function header(name: string): string {
  return `apiVersion: example.com/v1\nkind: Probe\nmetadata:\n  name: ${name}\n`;
}

function writeCase(name: string, body: string): void {
  const dir = join(fixtures, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'kustomization.yaml'), 'resources:\n- input.yaml\nsortOptions:\n  order: fifo\n');
  writeFileSync(join(dir, 'input.yaml'), header(name) + body);
}

// JSON text is a YAML double-quoted scalar, except that YAML 1.1 readers (go-yaml) also treat raw
// NEL, LS and PS as line breaks, and a raw BOM is suspicious: write those as escapes.
const q = (s: string) =>
  JSON.stringify(s).replace(
    /[\u0085\u2028\u2029\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
const pad = (n: number) => String(n).padStart(3, '0');

// Values at several depths (folding depends on the column), keyed kNNN so the order is total.
{
  const rand = prng(20261126);
  let body = 'data:\n';
  for (let i = 0; i < 160; i++) body += `  k${pad(i)}: ${q(randomString(rand, rand() < 0.3))}\n`;
  body += 'nested:\n  deeper:\n    deepest:\n';
  for (let i = 0; i < 60; i++) body += `      k${pad(i)}: ${q(randomString(rand, rand() < 0.5))}\n`;
  writeCase('generated-values', body);
}

// Sequence items, plain and nested in lists of lists and lists of maps.
{
  const rand = prng(7);
  let body = 'items:\n';
  for (let i = 0; i < 100; i++) body += `- ${q(randomString(rand, rand() < 0.3))}\n`;
  body += 'nested:\n';
  for (let i = 0; i < 40; i++) {
    body += `- - ${q(randomString(rand, rand() < 0.4))}\n  - name: ${q(randomString(rand, rand() < 0.4))}\n`;
  }
  writeCase('generated-lists', body);
}

// Keys. Letters-only prefixes and no digits keep kustomize's key order a total order (digit runs
// compared numerically can make it cyclic, and then kustomize's own output varies between runs).
{
  const rand = prng(99);
  // A NEL in a key is a line break inside an implicit key once kustomize re-reads its JSON: it fails.
  const keyPieces = PIECES.filter((p) => !/[0-9\u0085]/.test(p));
  const seen = new Set<string>();
  let body = 'keys:\n';
  while (seen.size < 120) {
    let key = '';
    const n = 1 + Math.floor(rand() * 4);
    for (let i = 0; i < n; i++) key += keyPieces[Math.floor(rand() * keyPieces.length)];
    // Past 128 bytes a key is written in the explicit `? key` form; YAML caps implicit keys at 1024.
    if (rand() < 0.05) key = key.repeat(Math.ceil(140 / key.length));
    if (!kustomizeCanWrite(key)) continue;
    // go-yaml folds runs of spaces around NEL inside quoted JSON text; two keys could collide.
    const folded = key.replace(/ *(?:\u0085 *)+/g, ' ');
    if (seen.has(folded)) continue;
    seen.add(folded);
    body += `  ${q(key)}: ${q(randomString(rand, false))}\n`;
  }
  writeCase('generated-keys', body);
}

// Block scalars in every style and chomping, with the lines that make folding hard: empty lines,
// more-indented lines, tab-led lines, trailing spaces. kustomize re-writes folded scalars through
// go-yaml v3 before decoding them, which changes some of them; these cases pin that down.
{
  const rand = prng(2024);
  const LINES = [
    'word',
    'two words',
    'a  b',
    '  indented',
    '    deeper',
    '\ttab led',
    'trailing ',
    '',
    '',
    'é ünï',
    '- item',
    '# not a comment',
    'key: value',
  ];
  let body = 'blocks:\n';
  for (let i = 0; i < 150; i++) {
    const style = pick(rand, ['|', '>']);
    const chomp = pick(rand, ['', '-', '+']);
    const count = 1 + Math.floor(rand() * 6);
    const lines: string[] = [];
    for (let j = 0; j < count; j++) lines.push(pick(rand, LINES));
    // The first content line fixes the indentation unless an indicator does.
    // A value starting with a tab makes kustomize fail (go-yaml v3 writes it as a block without
    // an indentation indicator and cannot read that back), so it is no case for a golden.
    const firstContent = lines.find((l) => l !== '');
    if (firstContent === undefined) lines.push('word');
    else if (firstContent.startsWith('\t')) lines.unshift('word');
    const needsIndicator =
      (lines.find((l) => l !== '') ?? '').startsWith(' ') ||
      (lines.find((l) => l !== '') ?? '').startsWith('\t');
    body += `  k${pad(i)}: ${style}${needsIndicator ? '2' : ''}${chomp}\n`;
    for (const line of lines) body += line === '' ? '\n' : `    ${line}\n`;
  }
  writeCase('generated-block-scalars', body);
}

// Multi-line plain, single- and double-quoted scalars (with escaped line breaks and empty lines,
// where libyaml and the `yaml` library disagree) and flow collections, as people write them.
{
  const rand = prng(4242);
  const WORDS = [
    'word',
    'a',
    'b',
    "it's",
    'x:y',
    'a #b',
    '1',
    '0755',
    'on',
    'é',
    '"q"',
    '[x]',
    '{y}',
    '-',
    '*',
    '!',
    '%',
    '\\t',
    '\\',
    'yes',
  ];
  let body = 'data:\n';
  for (let i = 0; i < 200; i++) {
    const style = pick(rand, ['plain', 'single', 'double', 'flowseq', 'flowmap']);
    const lines: string[] = [];
    const count = 1 + Math.floor(rand() * 4);
    for (let j = 0; j < count; j++) {
      const words = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => pick(rand, WORDS));
      lines.push(rand() < 0.15 ? '' : words.join(pick(rand, [' ', '  '])));
    }
    const key = `k${pad(i)}`;
    // Continuation lines are indented past the key; the closing quote never starts a line.
    const continued = (first: string, rest: string[], close: string) => {
      let text = `  ${key}: ${first}\n${rest.map((l) => (l ? `    ${l}\n` : '\n')).join('')}`;
      text = `${text.replace(/\n$/, '')}${close}\n`;
      return text.replace(new RegExp(`\\n\\${close}\\n$`), `\n    ${close}\n`);
    };
    if (style === 'plain') {
      const safe = lines.map((l) => l.replace(/[#:'"[\]{}*!%\-\\]/g, 'z') || 'w');
      body += `  ${key}: ${safe[0]}\n${safe
        .slice(1)
        .map((l) => `    ${l}\n`)
        .join('')}`;
    } else if (style === 'single') {
      const esc = lines.map((l) => l.replace(/'/g, "''"));
      body += continued(`'${esc[0]}`, esc.slice(1), "'");
    } else if (style === 'double') {
      const esc = lines.map((l) => l.replace(/\\(?!t)/g, '\\\\').replace(/"/g, '\\"'));
      // An escaped line break needs a next line.
      const escapedBreak = rand() < 0.4 ? '\\' : '';
      const rest = esc.slice(1);
      if (escapedBreak && rest.length === 0) rest.push('w');
      body += continued(`"${esc[0]}${escapedBreak}`, rest, '"');
    } else if (style === 'flowseq') {
      body += `  ${key}: [${lines.map((l) => JSON.stringify(l)).join(', ')}${rand() < 0.3 ? ',' : ''}]\n`;
    } else {
      body += `  ${key}: {${lines.map((l, j) => `k${j}: ${JSON.stringify(l)}`).join(', ')}}\n`;
    }
  }
  writeCase('generated-quoted-scalars', body);
}
