import { SopsFormatError } from './errors.js';

/** One age recipient the data key is wrapped for. */
export interface AgeRecipientStanza {
  /** The recipient's public key (`age1…` or `age1pq1…`). */
  recipient: string;
  /** The data key, age-encrypted and armored. */
  enc: string;
}

/** The recipients of one key group: each can unwrap the group's part of the data key. */
export interface SopsKeyGroup {
  /** age recipients of the group. */
  age: AgeRecipientStanza[];
  /** PGP fingerprints of the group. */
  pgpFingerprints: string[];
  /** The part, PGP-encrypted and armored, per fingerprint. */
  pgp: { fp: string; enc: string }[];
  /** Other recipients (KMS, Vault…), for errors. */
  otherRecipients: string[];
}

/** The `sops` metadata of an encrypted document, as far as decryption needs it. */
export interface SopsMetadata extends SopsKeyGroup {
  /** Number of key groups (Shamir secret sharing when more than one). */
  keyGroups: number;
  /** The key groups, each with its own recipients (the top-level lists hold them all together). */
  groups: SopsKeyGroup[];
  /** How many key groups' parts rebuild the data key (`shamir_threshold`; default: all of them). */
  shamirThreshold: number;
  /** The encrypted MAC. */
  mac: string;
  /** `lastmodified`, the MAC's additional data. */
  lastModified: string;
  /** Only encrypted values enter the MAC. */
  macOnlyEncrypted: boolean;
  /** The rules that say which values are encrypted. */
  rules: EncryptionRules;
}

/** `encrypted_regex`, `unencrypted_suffix` and the like. */
export interface EncryptionRules {
  /** Keys ending in it (anywhere on the path) are not encrypted. */
  unencryptedSuffix?: string;
  /** Only keys ending in it (anywhere on the path) are encrypted. */
  encryptedSuffix?: string;
  /** Keys matching it (anywhere on the path) are not encrypted. */
  unencryptedRegex?: RegExp;
  /** Only keys matching it (anywhere on the path) are encrypted. */
  encryptedRegex?: RegExp;
}

const MAX_RECIPIENTS = 256;

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function list(v: unknown): Record<string, unknown>[] {
  if (!Array.isArray(v)) return [];
  return v
    .filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null)
    .slice(0, MAX_RECIPIENTS);
}

function regex(v: unknown, field: string, file: string | undefined): RegExp | undefined {
  const s = str(v);
  if (s === undefined || s === '') return undefined;
  try {
    return new RegExp(s);
  } catch {
    throw new SopsFormatError(`sops.${field} is not a valid regular expression`, {
      file,
      path: `sops.${field}`,
    });
  }
}

function collectRecipients(group: Record<string, unknown>, into: SopsKeyGroup): void {
  for (const a of list(group.age)) {
    const recipient = str(a.recipient);
    const enc = str(a.enc);
    if (recipient !== undefined && enc !== undefined) into.age.push({ recipient, enc });
  }
  for (const p of list(group.pgp)) {
    const fp = str(p.fp);
    const enc = str(p.enc);
    if (fp !== undefined) into.pgpFingerprints.push(fp);
    if (fp !== undefined && enc !== undefined) into.pgp.push({ fp, enc });
  }
  for (const [field, id] of [
    ['kms', 'arn'],
    ['gcp_kms', 'resource_id'],
    ['azure_kv', 'vaultUrl'],
    ['hc_vault', 'vault_address'],
  ] as const) {
    for (const k of list(group[field])) {
      const name = str(k[id]);
      if (name !== undefined) into.otherRecipients.push(`${field}:${name}`);
    }
  }
}

/** Reads the `sops` metadata object of a document; `file` is only used in errors. */
export function parseMetadata(raw: unknown, file: string | undefined): SopsMetadata {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new SopsFormatError('the document has no sops metadata (is it encrypted with sops?)', { file });
  const m = raw as Record<string, unknown>;
  const mac = str(m.mac);
  const lastModified = str(m.lastmodified);
  if (mac === undefined || lastModified === undefined)
    throw new SopsFormatError('sops.mac or sops.lastmodified is missing', { file, path: 'sops' });
  const meta: SopsMetadata = {
    age: [],
    pgpFingerprints: [],
    pgp: [],
    otherRecipients: [],
    keyGroups: 0,
    groups: [],
    shamirThreshold: 0,
    mac,
    lastModified,
    macOnlyEncrypted: m.mac_only_encrypted === true || m.mac_only_encrypted === 'true',
    rules: {
      unencryptedSuffix: str(m.unencrypted_suffix) || undefined,
      encryptedSuffix: str(m.encrypted_suffix) || undefined,
      unencryptedRegex: regex(m.unencrypted_regex, 'unencrypted_regex', file),
      encryptedRegex: regex(m.encrypted_regex, 'encrypted_regex', file),
    },
  };
  collectRecipients(m, meta);
  const groups = list(m.key_groups);
  meta.keyGroups = groups.length;
  for (const g of groups) {
    collectRecipients(g, meta);
    const group: SopsKeyGroup = { age: [], pgpFingerprints: [], pgp: [], otherRecipients: [] };
    collectRecipients(g, group);
    meta.groups.push(group);
  }
  const threshold = Number(m.shamir_threshold ?? 0);
  meta.shamirThreshold = Number.isInteger(threshold) && threshold > 0 ? threshold : groups.length;
  return meta;
}

/** Whether the value at `path` is encrypted under the document's rules (as sops decides). */
export function shouldBeEncrypted(path: readonly string[], rules: EncryptionRules): boolean {
  let encrypted = true;
  if (rules.unencryptedSuffix !== undefined) {
    const suffix = rules.unencryptedSuffix;
    if (path.some((k) => k.endsWith(suffix))) encrypted = false;
  }
  if (rules.encryptedSuffix !== undefined) {
    const suffix = rules.encryptedSuffix;
    encrypted = path.some((k) => k.endsWith(suffix));
  }
  if (rules.unencryptedRegex !== undefined) {
    const re = rules.unencryptedRegex;
    if (path.some((k) => re.test(k))) encrypted = false;
  }
  if (rules.encryptedRegex !== undefined) {
    const re = rules.encryptedRegex;
    encrypted = path.some((k) => re.test(k));
  }
  return encrypted;
}
