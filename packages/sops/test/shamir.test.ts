// Key groups: sops splits the data key with HashiCorp Vault's Shamir scheme (GF(2^8) with the AES
// polynomial, each part the y values followed by its x coordinate) and wraps part i for the keys of
// group i. The split below is written here from Vault's description, independently of the library
// the package combines the parts with.
import { randomBytes } from 'node:crypto';
import { armor, Encrypter, generateX25519Identity, identityToRecipient } from 'age-encryption';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { decryptSops, SopsNoKeyError } from '../src/index.js';
import { encryptTree } from './encrypt.js';

function gfMul(a: number, b: number): number {
  let r = 0;
  let x = a;
  for (let y = b; y > 0; y >>= 1) {
    if (y & 1) r ^= x;
    x <<= 1;
    if (x & 0x100) x ^= 0x11b;
  }
  return r;
}

/** Vault's `Split`: one random polynomial of degree threshold-1 per byte, part i at x = i+1. */
function split(secret: Buffer, parts: number, threshold: number): Buffer[] {
  const out = Array.from({ length: parts }, (_, i) => {
    const b = Buffer.alloc(secret.length + 1);
    b[secret.length] = i + 1;
    return b;
  });
  secret.forEach((value, idx) => {
    const coefficients = [value, ...randomBytes(threshold - 1)];
    if (coefficients[threshold - 1] === 0) coefficients[threshold - 1] = 1;
    for (let i = 0; i < parts; i++) {
      let y = 0;
      for (let c = threshold - 1; c >= 0; c--) y = gfMul(y, i + 1) ^ (coefficients[c] as number);
      (out[i] as Buffer)[idx] = y;
    }
  });
  return out;
}

async function groupsDocument(groups: number, threshold: number) {
  const identities = await Promise.all(Array.from({ length: groups }, () => generateX25519Identity()));
  const recipients = await Promise.all(identities.map((i) => identityToRecipient(i)));
  const { tree, sops, key } = await encryptTree({ password: 'from-key-groups', port: 5432 }, []);
  const parts = split(key, groups, threshold);
  const keyGroups = [];
  for (const [i, recipient] of recipients.entries()) {
    const e = new Encrypter();
    e.addRecipient(recipient);
    keyGroups.push({ age: [{ recipient, enc: armor.encode(await e.encrypt(parts[i] as Buffer)) }] });
  }
  const { age: _topLevel, ...rest } = sops;
  const text = stringify({ ...tree, sops: { ...rest, key_groups: keyGroups, shamir_threshold: threshold } });
  return { text, identities, recipients };
}

describe('key groups (Shamir secret sharing)', () => {
  it('rebuilds the data key from the parts of any threshold of groups', async () => {
    const { text, identities } = await groupsDocument(3, 2);
    for (const pair of [
      [identities[0], identities[2]],
      [identities[1], identities[2]],
      [identities[0], identities[1], identities[2]],
    ]) {
      const plain = await decryptSops(text, { ageIdentities: pair as string[], file: 'groups.yaml' });
      expect(parse(plain)).toEqual({ password: 'from-key-groups', port: 5432 });
    }
  });

  it('needs every group when the threshold is the number of groups', async () => {
    const { text, identities } = await groupsDocument(3, 3);
    const plain = await decryptSops(text, { ageIdentities: identities, file: 'groups.yaml' });
    expect(parse(plain)).toEqual({ password: 'from-key-groups', port: 5432 });
    const err = await decryptSops(text, { ageIdentities: identities.slice(0, 2), file: 'groups.yaml' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SopsNoKeyError);
  });

  it('below the threshold, names the groups opened and every recipient, never a key', async () => {
    const { text, identities, recipients } = await groupsDocument(3, 2);
    const err = await decryptSops(text, {
      ageIdentities: [identities[1] as string],
      file: 'groups.yaml',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SopsNoKeyError);
    const e = err as SopsNoKeyError;
    expect(e.recipients).toEqual(recipients);
    expect(e.file).toBe('groups.yaml');
    expect(e.message).toContain('1 of the 2 key groups needed (of 3)');
    expect(e.message).not.toContain(identities[1]);
  });
});
