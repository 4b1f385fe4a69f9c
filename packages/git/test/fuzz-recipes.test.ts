/**
 * Replays the git fuzzer's recipes (`test/fixtures/fuzz-git/*.json`, each a case that once showed a
 * defect): the repository is re-created with native git (`git fast-import`), served by
 * `git http-backend` over protocol v2 and v0, fetched by our client and compared with native git
 * (`fuzz/compare.ts`: refs, resolved commits, trees with modes and ids, blobs, the snapshot's files,
 * shallow boundaries). Also the tree-name decoding those recipes exposed: lossless for any bytes.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GitServer, startGitServer } from '@gitops-kit/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathBytes } from '../fuzz/build.js';
import { type CaseContext, runCase } from '../fuzz/compare.js';
import { pathString } from '../fuzz/native.js';
import type { Recipe } from '../fuzz/recipe.js';
import { decodeTreeName, parseTree } from '../src/git-objects.js';
import { closeIdleHttpConnections } from '../src/index.js';

const fixtures = join(import.meta.dirname, 'fixtures', 'fuzz-git');
const recipes = readdirSync(fixtures)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('git fuzzer recipes, replayed against native git', () => {
  let work: string;
  let v2: GitServer;
  let v0: GitServer;
  let ctx: CaseContext;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'git-fuzz-recipes-'));
    const root = join(work, 'repos');
    mkdirSync(root);
    v2 = await startGitServer({ root });
    v0 = await startGitServer({ root, disableProtocolV2: true });
    ctx = { url: (version, name) => (version === 2 ? v2 : v0).repoUrl(name), root, tmp: work };
  });

  afterAll(async () => {
    await v2.stop();
    await v0.stop();
    closeIdleHttpConnections();
    rmSync(work, { recursive: true, force: true });
  });

  it('has recipes to replay', () => {
    expect(recipes.length).toBeGreaterThan(0);
  });

  it.each(recipes)('%s: our client agrees with native git', async (file) => {
    const recipe = JSON.parse(readFileSync(join(fixtures, file), 'utf8')) as Recipe;
    const result = await runCase(recipe, file.replace(/\.json$/, ''), ctx);
    expect(result.mismatches).toEqual([]);
    expect(result.steps).toBe(recipe.fetches.reduce((n, f) => n + f.steps.length, 0));
  });
});

describe('tree entry names that are not UTF-8', () => {
  const tree = (names: Buffer[]) =>
    Buffer.concat(
      names.map((n) => Buffer.concat([Buffer.from('100644 '), n, Buffer.from([0]), Buffer.alloc(20)])),
    );

  it('keeps Latin-1 names apart and decodes UTF-8 names as they read', () => {
    const names = parseTree(
      tree([
        Buffer.from([0x63, 0x61, 0x66, 0xe9]),
        Buffer.from([0x63, 0x61, 0x66, 0xe8]),
        Buffer.from('café'),
      ]),
    ).map((e) => e.name);
    expect(names).toEqual(['caf\udce9', 'caf\udce8', 'café']);
    expect(new Set(names).size).toBe(3);
  });

  it('maps every byte string to a name that gives the bytes back, as the fuzzer writes names', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (bytes) => {
        const buf = Buffer.from(bytes);
        const name = decodeTreeName(buf, 0, buf.length);
        expect(pathBytes(name).equals(buf)).toBe(true);
        expect(name).toBe(pathString(buf));
      }),
    );
  });
});
