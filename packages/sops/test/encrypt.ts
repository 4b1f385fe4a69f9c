// A test-side SOPS encryptor, written from sops' format (not from the package under test): AES-256-GCM
// with a 32-byte nonce and the field path as additional data, the data key age-wrapped per recipient,
// and the MAC (SHA-512 over the values in order, uppercase hex) encrypted with `lastmodified` as
// additional data. The shared corpus, encrypted by the real sops, is the outside oracle.
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { armor, Encrypter } from 'age-encryption';
import { stringify } from 'yaml';

/** Rules, as sops' metadata spells them. */
export interface TestRules {
  encrypted_regex?: string;
  unencrypted_regex?: string;
  encrypted_suffix?: string;
  unencrypted_suffix?: string;
  mac_only_encrypted?: boolean;
}

const LAST_MODIFIED = '2026-12-06T22:00:00Z';

export function encryptValue(plain: Buffer, key: Buffer, aad: string, type: string): string {
  const iv = randomBytes(32);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad));
  const data = Buffer.concat([c.update(plain), c.final()]);
  const tag = c.getAuthTag();
  return `ENC[AES256_GCM,data:${data.toString('base64')},iv:${iv.toString('base64')},tag:${tag.toString('base64')},type:${type}]`;
}

function toBytes(v: unknown): [Buffer, string] {
  if (typeof v === 'boolean') return [Buffer.from(v ? 'True' : 'False'), 'bool'];
  if (typeof v === 'number') return [Buffer.from(String(v)), Number.isInteger(v) ? 'int' : 'float'];
  return [Buffer.from(String(v)), 'str'];
}

function encrypted(path: string[], r: TestRules): boolean {
  let e = true;
  if (r.unencrypted_suffix && path.some((k) => k.endsWith(r.unencrypted_suffix as string))) e = false;
  if (r.encrypted_suffix) e = path.some((k) => k.endsWith(r.encrypted_suffix as string));
  if (r.unencrypted_regex && path.some((k) => new RegExp(r.unencrypted_regex as string).test(k))) e = false;
  if (r.encrypted_regex) e = path.some((k) => new RegExp(r.encrypted_regex as string).test(k));
  return e;
}

function walk(
  v: unknown,
  path: string[],
  key: Buffer,
  r: TestRules,
  hash: ReturnType<typeof createHash>,
): unknown {
  if (Array.isArray(v)) return v.map((x) => walk(x, path, key, r, hash));
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, [...path, k], key, r, hash)]));
  if (v === null) return v;
  const [bytes, type] = toBytes(v);
  const enc = encrypted(path, r);
  if (enc || !r.mac_only_encrypted) hash.update(bytes);
  return enc ? encryptValue(bytes, key, `${path.join(':')}:`, type) : v;
}

/** Encrypts `tree` for the age `recipients`: the encrypted tree and its sops metadata. */
export async function encryptTree(
  tree: Record<string, unknown>,
  recipients: string[],
  rules: TestRules = {},
): Promise<{ tree: Record<string, unknown>; sops: Record<string, unknown>; key: Buffer }> {
  const key = randomBytes(32);
  const hash = createHash('sha512');
  if (rules.mac_only_encrypted) hash.update(createHash('sha256').update('sops').digest());
  const out = walk(tree, [], key, rules, hash) as Record<string, unknown>;
  const age = [];
  for (const recipient of recipients) {
    const e = new Encrypter();
    e.addRecipient(recipient);
    age.push({ recipient, enc: armor.encode(await e.encrypt(key)) });
  }
  const mac = encryptValue(Buffer.from(hash.digest('hex').toUpperCase()), key, LAST_MODIFIED, 'str');
  return { tree: out, sops: { age, lastmodified: LAST_MODIFIED, mac, ...rules, version: '3.9.0' }, key };
}

/** A sops YAML document. */
export async function encryptYaml(
  tree: Record<string, unknown>,
  recipients: string[],
  rules: TestRules = {},
) {
  const { tree: t, sops } = await encryptTree(tree, recipients, rules);
  return stringify({ ...t, sops });
}

/** A sops JSON document. */
export async function encryptJson(
  tree: Record<string, unknown>,
  recipients: string[],
  rules: TestRules = {},
) {
  const { tree: t, sops } = await encryptTree(tree, recipients, rules);
  return JSON.stringify({ ...t, sops }, null, 4);
}

/** A sops dotenv document (flat string values). */
export async function encryptDotenv(
  entries: Record<string, string>,
  recipients: string[],
  rules: TestRules = {},
) {
  const { tree: t, sops } = await encryptTree(entries, recipients, rules);
  const lines = Object.entries(t).map(([k, v]) => `${k}=${v}`);
  const age = sops.age as { recipient: string; enc: string }[];
  age.forEach((a, i) => {
    lines.push(`sops_age__list_${i}__map_enc=${a.enc.replace(/\n/g, '\\n')}`);
    lines.push(`sops_age__list_${i}__map_recipient=${a.recipient}`);
  });
  lines.push(`sops_lastmodified=${sops.lastmodified}`, `sops_mac=${sops.mac}`);
  for (const [k, v] of Object.entries(rules)) lines.push(`sops_${k}=${v}`);
  lines.push('sops_version=3.9.0');
  return `${lines.join('\n')}\n`;
}
