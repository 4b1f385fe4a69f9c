import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChunkList } from '../src/chunk-list.js';
import { type FetchPackRequest, parseFetchV0 } from '../src/fetch-answer.js';
import { FLUSH, pkt } from '../src/pkt-line.js';

// A protocol v0 fetch that does not ask for side-band-64k (a server that does not offer it): native
// `git upload-pack --stateless-rpc` then sends the pack bare after its final NAK or ACK, and git's
// fetch-pack reads it from there. The packs read are checked by native `git index-pack` against
// `git rev-list --objects`.

let work: string;
let repo: string;
const commits: string[] = [];

function git(args: string[], cwd: string, input?: Buffer): Buffer {
  const res = spawnSync('git', args, {
    cwd,
    input,
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: work, GIT_PROTOCOL: '' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (res.status !== 0) throw new Error(`git ${args.join(' ')}: ${res.stderr.toString()}`);
  return res.stdout;
}

/** Native upload-pack's answer to a v0 request without side-band, in pieces of 7 bytes. */
function bareAnswer(wants: string[], haves: string[], extra: string[] = []): ChunkList {
  const body = Buffer.concat([
    ...wants.map((w, i) =>
      pkt(i === 0 ? `want ${w} multi_ack_detailed no-progress shallow\n` : `want ${w}\n`),
    ),
    ...extra.map((l) => pkt(`${l}\n`)),
    FLUSH,
    ...haves.map((h) => pkt(`have ${h}\n`)),
    pkt('done\n'),
  ]);
  const out = git(['upload-pack', '--stateless-rpc', repo], work, body);
  const pieces: Buffer[] = [];
  for (let at = 0; at < out.length; at += 7) pieces.push(out.subarray(at, at + 7));
  return new ChunkList(pieces);
}

/** The object ids in `pack`, as native `git index-pack` reads them. */
function packObjects(pack: ChunkList): string[] {
  const file = join(work, `p-${commits.length}-${Math.random().toString(36).slice(2)}.pack`);
  writeFileSync(file, pack.slice(0, pack.length));
  git(['index-pack', file], work);
  return git(['show-index'], work, readFileSync(file.replace(/\.pack$/, '.idx')))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ')[1] as string)
    .sort();
}

const req = (wants: string[], more: Partial<FetchPackRequest> = {}): FetchPackRequest => ({
  wants,
  haves: [],
  shallow: [],
  ...more,
});

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'fetch-answer-bare-'));
  const src = join(work, 'src');
  repo = join(work, 'repo.git');
  git(['init', '--quiet', '--bare', repo], work);
  git(['init', '--quiet', src], work);
  for (let i = 1; i <= 3; i++) {
    writeFileSync(join(src, 'f.txt'), `version ${i}\n`);
    git(['add', 'f.txt'], src);
    git(['-c', 'user.name=a', '-c', 'user.email=a@example.com', 'commit', '--quiet', '-m', `c${i}`], src);
    commits.push(git(['rev-parse', 'HEAD'], src).toString('utf8').trim());
  }
  git(['push', '--quiet', repo, 'HEAD:refs/heads/main'], src);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** What native git says `range` reaches: `git rev-list --objects`. */
function revListObjects(range: string[]): string[] {
  return git(['rev-list', '--objects', ...range], repo)
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.slice(0, 40))
    .sort();
}

describe('parseFetchV0 on a pack sent without side-band', () => {
  it('reads the bare pack after NAK', () => {
    const [, , c3] = commits as [string, string, string];
    const answer = bareAnswer([c3], []);
    const result = parseFetchV0(answer, req([c3]), false);
    expect(packObjects(result.pack)).toEqual(revListObjects([c3]));
    // Read as side-band lines, the pack's signature is no pkt-line length.
    expect(() => parseFetchV0(answer, req([c3]))).toThrow('malformed pkt-line length');
  });

  it('reads the bare pack after the ACKs, and the shallow lines before them', () => {
    const [c1, c2, c3] = commits as [string, string, string];
    const some = parseFetchV0(bareAnswer([c3], [c2, c1]), req([c3], { haves: [c2, c1] }), false);
    expect(packObjects(some.pack)).toEqual(revListObjects([c3, `^${c2}`]));
    const shallow = parseFetchV0(bareAnswer([c3], [], ['deepen 1']), req([c3], { depth: 1 }), false);
    expect(shallow.shallow).toEqual([c3]);
    expect(packObjects(shallow.pack)).toEqual(revListObjects([c3, '--no-walk']));
  });
});
