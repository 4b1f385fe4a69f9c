import { afterEach, describe, expect, it } from 'vitest';
import { GitLimitError, GitProtocolError } from '../src/errors.js';
import { SmartHttpClient } from '../src/smart-http.js';
import { type FakeAnswer, type FakeGitServer, FLUSH, pkt, startFakeGitServer } from './support/fake-git.js';

// Answers git does not send but a server might: what the client makes of them. Native git's reading
// is the reference. A v0 advertisement (connect.c): a line that is not `<object id> <ref name>`
// (the first one followed by a NUL and the capabilities) is a protocol error; `shallow` lines are
// no refs; a peeled line belongs to the tag line just before it. A v2 ls-refs answer: unknown
// attributes are ignored; an answer that is not one (no flush, an ERR line, a malformed object
// id) is refused. Content types are compared without their parameters (http.c).

const a = 'a'.repeat(40);
const b = 'b'.repeat(40);
const c = 'c'.repeat(40);

const servers: FakeGitServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** A client of a server whose answers come from `answer`. */
async function serve(answer: (command: 'ls-refs' | 'fetch' | 'discover') => FakeAnswer, maxRefs?: number) {
  const server = await startFakeGitServer(answer);
  servers.push(server);
  const limits = maxRefs === undefined ? {} : { maxRefs };
  return new SmartHttpClient({ url: server.url, headers: {}, timeoutMs: 10_000, retries: 0, limits });
}

/** Discovers a server that advertises `lines` (v0). */
async function discover(lines: string[]) {
  const advertisement = Buffer.concat([
    pkt('# service=git-upload-pack\n'),
    FLUSH,
    ...lines.map((l) => pkt(`${l}\n`)),
    FLUSH,
  ]);
  return (await serve(() => advertisement)).discover();
}

/** What a v2 server advertises. */
const V2 = Buffer.concat([
  pkt('# service=git-upload-pack\n'),
  FLUSH,
  pkt('version 2\n'),
  pkt('ls-refs\n'),
  FLUSH,
]);

/** The refs or the error of a listing by a client that discovered v2 first (so nothing is retried). */
async function listV2(lsRefs: FakeAnswer, maxRefs?: number) {
  const c = await serve((command) => (command === 'discover' ? V2 : lsRefs), maxRefs);
  await c.discover();
  return c.listRefs([]).catch((e: unknown) => e);
}

describe('SmartHttpClient reading a v0 advertisement', () => {
  it('folds a peeled line only into the tag line just before it', async () => {
    const found = await discover([
      `${a} refs/tags/early^{}\0ofs-delta`,
      `${a} refs/heads/main`,
      `${b} refs/tags/t1`,
      `${c} refs/tags/t1^{}`,
      `${b} refs/tags/t2`,
      `${a} refs/heads/other`,
      `${c} refs/tags/t2^{}`,
    ]);
    expect(found.refs).toEqual([
      { name: 'refs/heads/main', oid: a },
      { name: 'refs/tags/t1', oid: b, peeled: c },
      { name: 'refs/tags/t2', oid: b },
      { name: 'refs/heads/other', oid: a },
    ]);
    expect([...found.capabilities]).toEqual(['ofs-delta']);
  });

  it('takes only symref= capabilities naming an advertised ref', async () => {
    const found = await discover([
      `${a} HEAD\0xsymref=HEAD:refs/heads/x symref=refs/heads/gone:refs/heads/main symref=HEAD:refs/heads/main`,
      `${a} refs/heads/main`,
    ]);
    expect(found.refs).toEqual([
      { name: 'HEAD', oid: a, symrefTarget: 'refs/heads/main' },
      { name: 'refs/heads/main', oid: a },
    ]);
  });

  it.each([
    ['a first line without an object id', [`\0ofs-delta side-band-64k`, `${a} refs/heads/main`]],
    ['a line with no ref name', [`${a} HEAD\0ofs-delta`, a]],
    ['an object id that is not hex', [`${a} HEAD\0ofs-delta`, `${'g'.repeat(40)} refs/heads/main`]],
    ['an object id too long', [`${a} HEAD\0ofs-delta`, `${a}0 refs/heads/main`]],
    ['an object id too short', [`${a} HEAD\0ofs-delta`, `${a.slice(1)} refs/heads/main`]],
  ])('refuses %s, as git does', async (_name, lines) => {
    const err = await discover(lines).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitProtocolError);
    expect((err as Error).message).toContain('expected an object id and a ref name');
  });

  it('reads a first line without capabilities, and a later name only up to a NUL', async () => {
    const found = await discover([`${a} refs/heads/main`, `${b} refs/heads/next\0late-capability`]);
    expect(found.refs).toEqual([
      { name: 'refs/heads/main', oid: a },
      { name: 'refs/heads/next', oid: b },
    ]);
    expect([...found.capabilities]).toEqual([]);
  });

  it('takes an advertisement whose content type has parameters', async () => {
    const advertisement = Buffer.concat([
      pkt('# service=git-upload-pack\n'),
      FLUSH,
      pkt(`${a} HEAD\0ofs-delta\n`),
      FLUSH,
    ]);
    const c = await serve(() => ({
      status: 200,
      type: 'application/x-git-upload-pack-advertisement; charset=utf-8',
      body: advertisement,
    }));
    expect((await c.discover()).refs).toEqual([{ name: 'HEAD', oid: a }]);
  });
});

describe('SmartHttpClient reading a v2 ls-refs answer', () => {
  it('ignores attributes it does not know', async () => {
    const refs = await listV2(
      Buffer.concat([
        pkt(`${a} HEAD future:x symref-target:refs/heads/main\n`),
        pkt(`${b} refs/tags/t unborn peeled:${c}\n`),
        FLUSH,
      ]),
    );
    expect(refs).toEqual([
      { name: 'HEAD', oid: a, symrefTarget: 'refs/heads/main' },
      { name: 'refs/tags/t', oid: b, peeled: c },
    ]);
  });

  it('takes an answer whose content type has parameters', async () => {
    const refs = await listV2({
      status: 200,
      type: 'application/x-git-upload-pack-result; charset=utf-8',
      body: Buffer.concat([pkt(`${a} refs/heads/main\n`), FLUSH]),
    });
    expect(refs).toEqual([{ name: 'refs/heads/main', oid: a }]);
  });

  it.each([
    ['no flush at its end', Buffer.concat([pkt(`${a} refs/heads/main\n`)])],
    ['an object id too long', Buffer.concat([pkt(`${a}0 refs/heads/main\n`), FLUSH])],
    ['an object id after something else', Buffer.concat([pkt(`x${a} refs/heads/main\n`), FLUSH])],
    ['no ref name', Buffer.concat([pkt(`${a}\n`), FLUSH])],
    ['an HTML page', { status: 200, type: 'text/html', body: Buffer.from('<html>0000') }],
  ])('refuses an answer with %s', async (_name, answer) => {
    const err = await listV2(answer);
    expect(err).toBeInstanceOf(GitProtocolError);
    expect((err as Error).message).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/repo\.git did not answer ls-refs \(protocol v2\)$/,
    );
  });

  it('reports the ERR line of the server', async () => {
    const err = await listV2(Buffer.concat([pkt('ERR upload-pack: not today\n'), FLUSH]));
    expect(err).toBeInstanceOf(GitProtocolError);
    expect((err as Error).message).toMatch(/\/repo\.git: server error: upload-pack: not today$/);
  });

  it('takes a listing of up to 1 KiB per allowed ref and 64 KiB more, even of few refs', async () => {
    // 10 refs of about 3 KiB each: over 10 KiB, within 10 KiB + 64 KiB.
    const lines = Array.from({ length: 10 }, (_, i) => pkt(`${a} refs/heads/${i}-${'n'.repeat(3000)}\n`));
    const listing = Buffer.concat([...lines, FLUSH]);
    expect(listing.length).toBeGreaterThan(10 * 1024);
    const refs = await listV2(listing, 10);
    expect(refs).toHaveLength(10);
    expect(await listV2(listing, 9)).toBeInstanceOf(GitLimitError);
  });
});
