// How Flux's kustomize-controller tells a SOPS document from any other file or Secret entry: by the
// marker of the MAC each format writes (`mac: ENC[` in YAML, `"mac": "ENC[` in JSON and binary,
// `sops_mac=ENC[` in dotenv). The format comes from the name's extension; a name sops would read as
// binary is told by its marker instead, so `secret.enc` holding an encrypted YAML file decrypts.
import { looksSopsEncrypted } from './decrypt.js';
import { formatForPath, type SopsFormat } from './formats.js';

/** The annotation (value `disabled`, any case) that keeps a resource from being decrypted, as in Flux. */
export const DECRYPT_ANNOTATION = 'kustomize.toolkit.fluxcd.io/decrypt';

/** The bytes every encrypted value starts with: a file without them is not a SOPS document. */
const VALUE_MARKER = Buffer.from('ENC[AES256_GCM,');

/** Whether `bytes` may hold a SOPS document (a cheap check before decoding them). */
export function mayHoldSops(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(VALUE_MARKER);
}

function isBinaryEnvelope(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    const keys = Object.keys(value);
    return (
      keys.every((k) => k === 'data' || k === 'sops') &&
      typeof (value as { data?: unknown }).data === 'string'
    );
  } catch {
    return false;
  }
}

/**
 * The format of the SOPS document in `text`, or undefined when it is not one. `name` is the file
 * name or Secret key: `.yaml`/`.yml`, `.json` and `.env` fix the format (Flux reads `.dockerconfigjson`
 * as JSON too); any other name is told by its MAC marker, a JSON envelope of `data` alone being binary.
 */
export function detectSopsFormat(text: string, name: string): SopsFormat | undefined {
  const byName = name.endsWith('.dockerconfigjson') ? 'json' : formatForPath(name);
  if (byName !== 'binary') return looksSopsEncrypted(text, byName) ? byName : undefined;
  if (looksSopsEncrypted(text, 'dotenv')) return 'dotenv';
  if (looksSopsEncrypted(text, 'yaml')) return 'yaml';
  if (looksSopsEncrypted(text, 'json')) return isBinaryEnvelope(text) ? 'binary' : 'json';
  return undefined;
}

/** Whether a YAML or JSON document's text carries the `decrypt: disabled` annotation. */
export function decryptionDisabledInText(text: string): boolean {
  return /kustomize\.toolkit\.fluxcd\.io\/decrypt["']?\s*:\s*["']?disabled\b/i.test(text);
}
