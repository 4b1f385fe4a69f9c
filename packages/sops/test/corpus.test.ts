// The outside oracle: files encrypted by the real `sops` in Flux's kustomize-controller tests, read
// in place from the shared corpus (never copied here); skipped where the corpus is absent.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  decryptSops,
  parseAgeIdentities,
  SopsMacMismatchError,
  SopsNoKeyError,
  SopsValueError,
} from '../src/index.js';

const root = resolve(
  process.env.GITOPS_KIT_CONFORMANCE ??
    join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'conformance'),
  'sops',
  'controller',
  'testdata',
  'sops',
);
const read = (p: string) => readFileSync(join(root, p), 'utf8');
const keys = (...files: string[]) => files.flatMap((f) => parseAgeIdentities(read(`keys/${f}`)));

describe.skipIf(!existsSync(root))('files encrypted by the real sops', () => {
  it('decrypts age and post-quantum age YAML', async () => {
    for (const f of ['algorithms/age.yaml', 'algorithms/age-pq.yaml']) {
      const plain = parse(
        await decryptSops(read(f), { ageIdentities: keys('age.txt', 'age-pq.txt'), file: f }),
      );
      expect(plain.stringData).toEqual({ key: 'value' });
    }
  });

  it('decrypts PGP with the armored private key', async () => {
    const f = 'algorithms/pgp.yaml';
    const plain = parse(
      await decryptSops(read(f), { ageIdentities: [], pgpKeys: [read('keys/pgp.asc')], file: f }),
    );
    expect(plain.stringData).toEqual({ key: 'value' });
  });

  it('decrypts dotenv and binary', async () => {
    const ids = keys('age.txt');
    expect(await decryptSops(read('envs/env.env'), { ageIdentities: ids, file: 'env.env' })).toBe(
      'key=value\n',
    );
    expect(await decryptSops(read('files/file.txt'), { ageIdentities: ids, file: 'file.txt' })).toBe('value');
  });

  it('names the recipient when the key is not given', async () => {
    const err = await decryptSops(read('global/secret.yaml'), { ageIdentities: keys('age.txt') }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(SopsNoKeyError);
    expect(err.message).toContain('age1henwn645drkd3fa34t27t2w2x0nsgw3w4h62gmg5x5xflyjpy38s5cncph');
  });

  it('refuses an altered plain field (MAC) and an altered ciphertext', async () => {
    const ids = keys('age-global.txt');
    const text = read('global/secret.yaml');
    const renamed = text.replace('name: global-age-secret', 'name: other');
    await expect(decryptSops(renamed, { ageIdentities: ids })).rejects.toBeInstanceOf(SopsMacMismatchError);
    const flipped = text.replace('data:5d9WYyV8', 'data:5d9WYyV9');
    const err = await decryptSops(flipped, { ageIdentities: ids, file: 'secret.yaml' }).catch((e) => e);
    expect(err).toBeInstanceOf(SopsValueError);
    expect(err.path).toBe('stringData.key');
  });
});
