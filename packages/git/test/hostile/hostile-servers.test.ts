import { createHash, randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { type GitOpsErrorCode, isGitOpsError } from '@gitops-kit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { GitSource } from '../../src/git-source.js';
import {
  buildPack,
  type FakeAnswer,
  FLUSH,
  fetchAnswer,
  lsRefsAnswer,
  oneFileCommit,
  pkt,
  sideBand,
  startFakeGitServer,
} from '../support/fake-git.js';

// The hostile-server corpus: each case is a git server answering something broken or hostile. Every
// one must end in a typed error (a GitOpsError with a stable code) whose message names the
// repository URL: never a crash, a hang (each runs under a guard) or a stack trace in the message.

const good = oneFileCommit(Buffer.from('apiVersion: v1\nkind: ConfigMap\n'));
const goodPack = buildPack(good.entries);

/** `pack` with its trailing checksum recomputed, after `edit` changed its body. */
function repack(pack: Buffer, edit: (body: Buffer) => void): Buffer {
  const body = Buffer.from(pack.subarray(0, pack.length - 20));
  edit(body);
  return Buffer.concat([body, createHash('sha1').update(body).digest()]);
}

const refsThen =
  (fetch: () => FakeAnswer) =>
  (command: string): FakeAnswer =>
    command === 'fetch' ? fetch() : command === 'discover' ? v2Advertisement() : lsRefsAnswer(good.commit);

/** What a protocol v2 server answers `GET info/refs`. */
function v2Advertisement(): Buffer {
  return Buffer.concat([
    pkt('# service=git-upload-pack\n'),
    FLUSH,
    pkt('version 2\n'),
    pkt('ls-refs\n'),
    pkt('fetch=shallow\n'),
    FLUSH,
  ]);
}

/** `first`, then `line` again and again: an endless answer, written as the client reads it. */
function* forever(line: Buffer, first?: Buffer): Generator<Buffer> {
  if (first !== undefined) yield first;
  for (;;) yield line;
}

interface HostileCase {
  name: string;
  answer: (command: 'ls-refs' | 'fetch' | 'discover') => FakeAnswer;
  codes: GitOpsErrorCode[];
}

const cases: HostileCase[] = [
  {
    name: 'an HTML page instead of git',
    answer: () => ({ status: 200, type: 'text/html', body: Buffer.from('<html>hello</html>') }),
    codes: ['SERVER_ERROR'],
  },
  {
    name: 'garbage where pkt-lines belong, everywhere',
    answer: () => Buffer.from('zzzz not git at all'),
    codes: ['SERVER_ERROR'],
  },
  {
    name: 'a pkt-line longer than the answer (truncated ref listing)',
    answer: (c) => (c === 'discover' ? Buffer.from('00ff# service=git-upload-pack') : Buffer.from('0100abc')),
    codes: ['SERVER_ERROR'],
  },
  {
    name: 'an HTTP 500',
    answer: () => ({ status: 500, body: Buffer.from('boom') }),
    codes: ['SERVER_ERROR'],
  },
  {
    name: 'garbage as the fetch answer',
    answer: refsThen(() => Buffer.from('zzzzzzzzzzzzzzzzzzzz')),
    codes: ['SERVER_ERROR'],
  },
  {
    name: 'an ERR line as the fetch answer',
    answer: refsThen(() => Buffer.concat([pkt('ERR upload-pack: out of cheese\n'), FLUSH])),
    codes: ['SERVER_ERROR'],
  },
  {
    name: 'endless data that is not a pack on the pack channel',
    answer: refsThen(() => forever(sideBand(1, randomBytes(65515))[0] as Buffer, pkt('packfile\n'))),
    codes: ['SERVER_ERROR'],
  },
  {
    name: 'endless side-band progress before the pack (oversized side-band)',
    answer: refsThen(() => forever(sideBand(2, Buffer.alloc(65515, 0x2e))[0] as Buffer, pkt('packfile\n'))),
    codes: ['LIMIT_EXCEEDED'],
  },
  {
    name: 'endless lines before the packfile section',
    answer: refsThen(() => forever(pkt(`ACK ${'0'.repeat(40)}\n`), pkt('acknowledgments\n'))),
    codes: ['LIMIT_EXCEEDED'],
  },
  {
    name: 'an endless ref advertisement (huge refs)',
    answer: () => forever(pkt(`${good.commit} refs/tags/${'t'.repeat(200)}\n`)),
    codes: ['LIMIT_EXCEEDED'],
  },
  {
    name: 'a truncated pack',
    answer: refsThen(() => fetchAnswer(goodPack.subarray(0, goodPack.length - 30))),
    codes: ['SERVER_ERROR'],
  },
  {
    name: 'a pack that announces 4 billion objects',
    answer: refsThen(() => fetchAnswer(repack(goodPack, (b) => b.writeUInt32BE(0xffffffff, 8)))),
    codes: ['SERVER_ERROR'],
  },
  {
    name: 'a pack with corrupt zlib data (checksum fixed up)',
    answer: refsThen(() =>
      fetchAnswer(
        repack(goodPack, (b) => {
          for (let i = 14; i < 24; i++) b[i] = 0xff;
        }),
      ),
    ),
    codes: ['SERVER_ERROR'],
  },
  {
    name: 'a pack that is not version 2 or 3',
    answer: refsThen(() => fetchAnswer(repack(goodPack, (b) => b.writeUInt32BE(9, 4)))),
    codes: ['SERVER_ERROR'],
  },
  {
    name: 'a ref delta whose base is nowhere',
    answer: refsThen(() => {
      // Type 7 (ref delta), size 4, then a base id nothing has, then the zlib data of 4 bytes.
      const delta = Buffer.concat([
        Buffer.from([0x74]),
        randomBytes(20),
        deflateSync(Buffer.from([1, 1, 1, 0x61])),
      ]);
      const body = Buffer.concat([goodPack.subarray(0, goodPack.length - 20), delta]);
      body.writeUInt32BE(4, 8);
      return fetchAnswer(Buffer.concat([body, createHash('sha1').update(body).digest()]));
    }),
    codes: ['SERVER_ERROR'],
  },
  {
    name: 'a pack without the commit asked for',
    answer: refsThen(() => fetchAnswer(buildPack(oneFileCommit(Buffer.from('other')).entries))),
    codes: ['NOT_FOUND'],
  },
  {
    name: 'a blob announced at 3 GiB',
    answer: refsThen(() =>
      fetchAnswer(
        buildPack(good.entries.map((e) => (e.type === 'blob' ? { ...e, declaredSize: 3 * 2 ** 30 } : e))),
      ),
    ),
    codes: ['LIMIT_EXCEEDED'],
  },
];

const servers: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

/** Rejects when `promise` has not settled after `ms`: a hang fails the case instead of the run. */
function guard<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms: a hang`)), ms);
  });
  return Promise.race([promise, hang]).finally(() => clearTimeout(timer));
}

describe('hostile git servers', () => {
  for (const c of cases) {
    it(`${c.name}: a typed error naming the URL`, async () => {
      const server = await startFakeGitServer(c.answer);
      servers.push(server);
      const source = new GitSource({ url: server.url, retries: 0, timeoutMs: 10_000 });
      const err = await guard(source.fetch(), 15_000).then(
        () => undefined,
        (e: unknown) => e,
      );
      await source.close();
      expect(isGitOpsError(err), String(err)).toBe(true);
      const typed = err as Error & { code: GitOpsErrorCode };
      expect(c.codes).toContain(typed.code);
      expect(typed.message).toContain(server.url.replace(/\/repo\.git$/, ''));
      expect(typed.message).not.toMatch(/\n\s+at /);
    });
  }
});
