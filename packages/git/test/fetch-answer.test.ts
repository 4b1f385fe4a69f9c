import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChunkList } from '../src/chunk-list.js';
import { GitNotFoundError, GitProtocolError } from '../src/errors.js';
import { type FetchPackRequest, parseFetchV0, parseFetchV2 } from '../src/fetch-answer.js';
import { DELIM, FLUSH, pkt } from '../src/pkt-line.js';

// The fetch answers of native `git upload-pack --stateless-rpc` (what `git http-backend` runs for a
// POST), protocol v2 and v0, read by the parsers; the packs they return are checked by native
// `git index-pack` against `git rev-list --objects`. Crafted answers cover what git's protocol
// documentation allows and git itself does not send in these cases (progress, errors on band 3).

let work: string;
let repo: string;
let c1: string;
let c2: string;
let c3: string;

function git(args: string[], cwd: string, input?: Buffer, env: NodeJS.ProcessEnv = {}): Buffer {
  const res = spawnSync('git', args, {
    cwd,
    input,
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: work, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (res.status !== 0) throw new Error(`git ${args.join(' ')}: ${res.stderr.toString()}`);
  return res.stdout;
}

/** Native upload-pack's answer to `body` (protocol v2 when `v2`). */
function uploadPack(body: Buffer, v2: boolean): ChunkList {
  const res = spawnSync('git', ['upload-pack', '--stateless-rpc', repo], {
    input: body,
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: work, GIT_PROTOCOL: v2 ? 'version=2' : '' },
  });
  // A chunk per 7 bytes: the parsers read across the pieces the body arrived in.
  const out = res.stdout;
  const pieces: Buffer[] = [];
  for (let at = 0; at < out.length; at += 7) pieces.push(out.subarray(at, at + 7));
  return new ChunkList(pieces);
}

const v2Fetch = (lines: string[], done = true) =>
  Buffer.concat([
    pkt('command=fetch\n'),
    DELIM,
    pkt('no-progress\n'),
    ...lines.map((l) => pkt(`${l}\n`)),
    ...(done ? [pkt('done\n')] : []),
    FLUSH,
  ]);

const v0Fetch = (wants: string[], shallow: string[], haves: string[], extra: string[] = []) =>
  Buffer.concat([
    ...wants.map((w, i) =>
      pkt(i === 0 ? `want ${w} multi_ack_detailed side-band-64k no-progress shallow\n` : `want ${w}\n`),
    ),
    ...shallow.map((s) => pkt(`shallow ${s}\n`)),
    ...extra.map((l) => pkt(`${l}\n`)),
    FLUSH,
    ...haves.map((h) => pkt(`have ${h}\n`)),
    pkt('done\n'),
  ]);

/** The ids of the objects in `pack`, as native `git index-pack` reads them. */
function packObjects(pack: ChunkList): string[] {
  const file = join(work, `p-${Math.random().toString(36).slice(2)}.pack`);
  writeFileSync(file, pack.slice(0, pack.length));
  git(['index-pack', file], work);
  const idx = file.replace(/\.pack$/, '.idx');
  const listing = git(['show-index'], work, spawnSync('cat', [idx]).stdout).toString('utf8');
  return listing
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ')[1] as string)
    .sort();
}

/** What native git says `range` reaches: `git rev-list --objects`. */
function revListObjects(range: string[]): string[] {
  return git(['rev-list', '--objects', ...range], repo)
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.slice(0, 40))
    .sort();
}

const req = (wants: string[], more: Partial<FetchPackRequest> = {}): FetchPackRequest => ({
  wants,
  haves: [],
  shallow: [],
  ...more,
});

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'fetch-answer-test-'));
  const src = join(work, 'src');
  repo = join(work, 'repo.git');
  git(['init', '--quiet', '--bare', repo], work);
  git(['init', '--quiet', src], work);
  const ids: string[] = [];
  for (let i = 1; i <= 3; i++) {
    writeFileSync(join(src, 'f.txt'), `version ${i}\n`);
    git(['add', 'f.txt'], src);
    git(['-c', 'user.name=a', '-c', 'user.email=a@example.com', 'commit', '--quiet', '-m', `c${i}`], src);
    ids.push(git(['rev-parse', 'HEAD'], src).toString('utf8').trim());
  }
  [c1, c2, c3] = ids as [string, string, string];
  git(['push', '--quiet', repo, 'HEAD:refs/heads/main'], src);
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('parseFetchV2 on native git answers', () => {
  it('reads the whole pack of a clone', () => {
    const result = parseFetchV2(uploadPack(v2Fetch([`want ${c3}`]), true), req([c3]));
    expect(packObjects(result.pack)).toEqual(revListObjects([c3]));
    expect(result.shallow).toEqual([]);
    expect(result.unshallow).toEqual([]);
  });

  it('reads the shallow-info section of a shallow clone and of a deepening', () => {
    const first = parseFetchV2(uploadPack(v2Fetch([`want ${c3}`, 'deepen 1']), true), req([c3]));
    expect(first.shallow).toEqual([c3]);
    expect(first.unshallow).toEqual([]);
    expect(packObjects(first.pack)).toEqual(revListObjects([c3, '--no-walk']));
    const deeper = parseFetchV2(
      uploadPack(v2Fetch([`want ${c3}`, `shallow ${c3}`, 'deepen 2']), true),
      req([c3], { shallow: [c3] }),
    );
    expect(deeper.shallow).toEqual([c2]);
    expect(deeper.unshallow).toEqual([c3]);
  });

  it('reads past the acknowledgments section to the pack (haves without done)', () => {
    const result = parseFetchV2(uploadPack(v2Fetch([`want ${c3}`, `have ${c2}`], false), true), req([c3]));
    expect(packObjects(result.pack)).toEqual(revListObjects([c3, `^${c2}`]));
  });

  it('turns "not our ref" into a NotFound error naming the wanted commit', () => {
    const missing = '1234567890123456789012345678901234567890';
    const answer = uploadPack(v2Fetch([`want ${missing}`]), true);
    expect(() => parseFetchV2(answer, req([missing]))).toThrow(GitNotFoundError);
    expect(() => parseFetchV2(answer, req([missing]))).toThrow(
      `the server does not have ${missing}: upload-pack: not our ref ${missing}`,
    );
  });
});

describe('parseFetchV0 on native git answers', () => {
  it('reads the pack after NAK', () => {
    const result = parseFetchV0(uploadPack(v0Fetch([c3], [], []), false), req([c3]));
    expect(packObjects(result.pack)).toEqual(revListObjects([c3]));
    expect(result.shallow).toEqual([]);
  });

  it('reads the pack after the common ACKs and the final ACK (multi_ack_detailed)', () => {
    const result = parseFetchV0(uploadPack(v0Fetch([c3], [], [c2, c1]), false), req([c3]));
    expect(packObjects(result.pack)).toEqual(revListObjects([c3, `^${c2}`]));
  });

  it('reads shallow and unshallow lines before the pack', () => {
    const first = parseFetchV0(uploadPack(v0Fetch([c3], [], [], ['deepen 1']), false), req([c3]));
    expect(first.shallow).toEqual([c3]);
    const deeper = parseFetchV0(
      uploadPack(v0Fetch([c3], [c3], [], ['deepen 2']), false),
      req([c3], { shallow: [c3] }),
    );
    expect(deeper.shallow).toEqual([c2]);
    expect(deeper.unshallow).toEqual([c3]);
    expect(packObjects(deeper.pack)).toEqual(revListObjects([c2, '--no-walk']));
  });

  it('turns "not our ref" into a NotFound error', () => {
    const missing = 'abcdefabcdefabcdefabcdefabcdefabcdefabcd';
    const answer = uploadPack(v0Fetch([missing], [], []), false);
    expect(() => parseFetchV0(answer, req([missing]))).toThrow(GitNotFoundError);
  });
});

const body = (...parts: Buffer[]) => new ChunkList([Buffer.concat(parts)]);
const band = (n: number, data: string | Buffer) =>
  pkt(Buffer.concat([Buffer.from([n]), typeof data === 'string' ? Buffer.from(data) : data]));
const packText = (r: { pack: ChunkList }) => r.pack.slice(0, r.pack.length).toString('latin1');

describe('fetch answers as the protocol allows them (crafted)', () => {
  it('keeps channel 1 across lines and skips progress (2)', () => {
    const answer = body(
      pkt('packfile\n'),
      band(2, 'Counting objects\n'),
      band(1, 'PACK-one-'),
      band(2, 'progress\n'),
      band(1, 'two'),
      band(2, 'ERR not an error on the progress channel'),
      band(1, '-three'),
      FLUSH,
      band(1, 'after the flush'),
    );
    expect(packText(parseFetchV2(answer, req(['x'])))).toBe('PACK-one-two-three');
  });

  it('refuses a side-band line without a band or on another band, as git does', () => {
    const empty = body(pkt('packfile\n'), band(1, 'ab'), Buffer.from('0004'), band(1, 'cd'), FLUSH);
    expect(() => parseFetchV2(empty, req(['x']))).toThrow('side-band line without a band number');
    for (const n of [0, 4, 0x41]) {
      const other = body(pkt('NAK\n'), band(1, 'ab'), band(n, 'A line'), band(1, 'cd'), FLUSH);
      expect(() => parseFetchV0(other, req(['x']))).toThrow(`side-band line on unknown band ${n}`);
    }
  });

  it('ends the pack at a delimiter or response-end packet too', () => {
    for (const special of ['0001', '0002']) {
      const answer = body(pkt('packfile\n'), band(1, 'abc'), Buffer.from(special), band(1, 'def'));
      expect(packText(parseFetchV2(answer, req(['x'])))).toBe('abc');
    }
  });

  it('ends with a typed error on a channel 3 message, trimmed, NotFound when the object is missing', () => {
    const fatal = body(pkt('packfile\n'), band(1, 'PA'), band(3, '  fatal: out of memory \n'));
    expect(() => parseFetchV2(fatal, req(['x']))).toThrow(GitProtocolError);
    expect(() => parseFetchV2(fatal, req(['x']))).toThrow(/^server error: fatal: out of memory$/);
    const missing = body(pkt('packfile\n'), band(3, 'upload-pack: not our ref x\n'));
    expect(() => parseFetchV2(missing, req(['x']))).toThrow(GitNotFoundError);
    expect(() => parseFetchV0(body(pkt('NAK\n'), band(3, 'bad object x')), req(['x']))).toThrow(
      GitNotFoundError,
    );
  });

  it('ends with a typed error on an ERR line where the side band is', () => {
    const answer = body(pkt('packfile\n'), band(1, 'PA'), pkt('ERR upload-pack: boom \n'));
    expect(() => parseFetchV2(answer, req(['x']))).toThrow(/^server error: upload-pack: boom$/);
    const v0 = body(pkt('NAK'), pkt('ERR no such object x'));
    expect(() => parseFetchV0(v0, req(['x']))).toThrow(GitNotFoundError);
  });

  it.each([
    ['upload-pack: not our ref 1111', true],
    ['upload-pack: UNADVERTISED OBJECT 1111', true],
    ['no such object', true],
    ['object not found', true],
    ['bad object 1111', true],
    ['want 1111 is a ref', false],
    ['ournot ref', false],
  ])('types the server error %j (NotFound: %s)', (message, notFound) => {
    for (const parse of [parseFetchV2, parseFetchV0]) {
      let caught: unknown;
      try {
        parse(body(pkt(`ERR ${message}\n`)), req(['1111', '2222']));
      } catch (err) {
        caught = err;
      }
      if (notFound) {
        expect(caught).toBeInstanceOf(GitNotFoundError);
        expect((caught as Error).message).toBe(`the server does not have 1111, 2222: ${message}`);
      } else {
        expect(caught).toBeInstanceOf(GitProtocolError);
        expect((caught as Error).message).toBe(`server error: ${message}`);
      }
    }
  });

  it('reads shallow lines only in the shallow-info section (v2)', () => {
    const answer = body(
      pkt('acknowledgments\n'),
      pkt('shallow aaaa\n'),
      pkt('NAK\n'),
      DELIM,
      pkt('shallow-info\n'),
      pkt('shallow bbbb\n'),
      pkt('unshallow cccc'),
      pkt('shallow dddd'),
      pkt('other eeee\n'),
      DELIM,
      pkt('wanted-refs\n'),
      pkt('shallow ffff\n'),
      DELIM,
      pkt('packfile\n'),
      band(1, 'P'),
      FLUSH,
    );
    const result = parseFetchV2(answer, req(['x']));
    expect(result.shallow).toEqual(['bbbb', 'dddd']);
    expect(result.unshallow).toEqual(['cccc']);
    expect(packText(result)).toBe('P');
    // Sections out of the protocol's order, and without the delimiter between them: each header
    // still ends the section before.
    for (const next of ['acknowledgments', 'wanted-refs']) {
      const shuffled = body(
        pkt('shallow-info\n'),
        pkt('shallow 1111\n'),
        pkt(`${next}\n`),
        pkt('shallow 2222\n'),
        DELIM,
        pkt('packfile\n'),
        band(1, 'P'),
        FLUSH,
      );
      expect(parseFetchV2(shuffled, req(['x'])).shallow).toEqual(['1111']);
    }
  });

  it('refuses an answer that ends before the pack (a request ends with done)', () => {
    for (const parse of [parseFetchV2, parseFetchV0]) {
      const cut = body(pkt('shallow-info\n'), pkt('shallow abcd\n'), FLUSH);
      expect(() => parse(cut, req(['x']))).toThrow('the fetch answer ended before the pack');
      // What a v0-only server answers a v2 fetch command: nothing.
      expect(() => parse(body(), req(['x']))).toThrow(GitProtocolError);
    }
  });

  it('waits for the final ACK, not a common, ready or continue one (v0)', () => {
    const answer = body(
      pkt('ACK 1111 continue\n'),
      pkt('ACK 1111 common\n'),
      pkt('ACK 1111 ready\n'),
      pkt('shallow 9999\n'),
      pkt('ACK 1111\n'),
      band(1, 'PACK'),
    );
    const result = parseFetchV0(answer, req(['x']));
    expect(result.shallow).toEqual(['9999']);
    expect(packText(result)).toBe('PACK');
    const nak = parseFetchV0(body(pkt('NAK'), band(1, 'PK')), req(['x']));
    expect(packText(nak)).toBe('PK');
  });

  it('refuses a malformed or truncated pkt-line, also a header cut short at the end', () => {
    const cases = [
      body(pkt('packfile\n'), Buffer.from('zz01')),
      body(Buffer.from('zzzz')),
      body(pkt('NAK\n'), Buffer.from('0010abc')),
      body(pkt('shallow-info\n'), Buffer.from('0010')),
      body(pkt('packfile\n'), band(1, 'P'), Buffer.from('0009')),
    ];
    for (const answer of cases) {
      for (const parse of [parseFetchV2, parseFetchV0]) {
        expect(() => parse(answer, req(['x']))).toThrow(GitProtocolError);
      }
    }
    expect(() => parseFetchV0(body(Buffer.from('zzzz')), req(['x']))).toThrow('malformed pkt-line length');
    expect(() => parseFetchV0(body(Buffer.from('0010')), req(['x']))).toThrow('truncated pkt-line');
  });

  it('ignores a header cut to fewer than four bytes at the end', () => {
    const result = parseFetchV2(body(pkt('packfile\n'), band(1, 'PK'), Buffer.from('00')), req(['x']));
    expect(packText(result)).toBe('PK');
  });
});
