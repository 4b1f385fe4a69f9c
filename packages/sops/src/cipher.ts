import { createDecipheriv } from 'node:crypto';

/** The type SOPS records for an encrypted value. */
export type SopsValueType = 'str' | 'int' | 'float' | 'bool' | 'bytes' | 'comment';

/** The parts of an `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]` value. */
export interface EncryptedValue {
  /** The ciphertext. */
  data: Buffer;
  /** The GCM nonce (SOPS uses 32 bytes). */
  iv: Buffer;
  /** The 16-byte GCM tag. */
  tag: Buffer;
  /** The type of the plaintext. */
  type: SopsValueType;
}

const ENC =
  /^ENC\[AES256_GCM,data:([A-Za-z0-9+/=]*),iv:([A-Za-z0-9+/=]+),tag:([A-Za-z0-9+/=]+),type:([a-z]+)\]$/;
const TYPES = new Set<string>(['str', 'int', 'float', 'bool', 'bytes', 'comment']);

/** Whether `text` has the shape of a SOPS encrypted value. */
export function isEncryptedValue(text: unknown): text is string {
  return typeof text === 'string' && text.startsWith('ENC[AES256_GCM,');
}

/** Parses an encrypted value, or returns undefined when `text` is not one (no part of it is echoed). */
export function parseEncryptedValue(text: string): EncryptedValue | undefined {
  const m = ENC.exec(text);
  if (!m || !TYPES.has(m[4] as string)) return undefined;
  const tag = Buffer.from(m[3] as string, 'base64');
  const iv = Buffer.from(m[2] as string, 'base64');
  if (tag.length !== 16 || iv.length === 0) return undefined;
  return { data: Buffer.from(m[1] as string, 'base64'), iv, tag, type: m[4] as SopsValueType };
}

/**
 * Decrypts one value with the 32-byte data key and its additional data (the field path joined by
 * `:` with a trailing `:`). Returns the plaintext bytes, or undefined when it does not authenticate.
 */
export function decryptValueBytes(value: EncryptedValue, key: Uint8Array, aad: string): Buffer | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, value.iv);
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(value.tag);
    return Buffer.concat([decipher.update(value.data), decipher.final()]);
  } catch {
    return undefined;
  }
}

/** Turns decrypted bytes into the value their SOPS type names, as `sops -d` does. */
export function typedPlaintext(bytes: Buffer, type: SopsValueType): string | number | boolean | undefined {
  const text = bytes.toString('utf8');
  switch (type) {
    case 'str':
    case 'bytes':
    case 'comment':
      return text;
    case 'int': {
      if (!/^[-+]?\d+$/.test(text)) return undefined;
      return Number(text);
    }
    case 'float': {
      const n = Number(text);
      return text.trim() === '' || Number.isNaN(n) ? undefined : n;
    }
    case 'bool': {
      // Go's strconv.ParseBool.
      if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
      if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
      return undefined;
    }
  }
}
