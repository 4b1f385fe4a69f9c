import type { KubeObject } from '@gitops-kit/core';

/** Values shorter than this are left alone: redacting `a` or `no` would mangle every message. */
const MIN_SECRET_LENGTH = 3;

function isSecret(obj: KubeObject | undefined): obj is KubeObject {
  return obj !== undefined && obj.kind === 'Secret' && (obj.apiVersion === 'v1' || obj.apiVersion === '');
}

function stringsOf(map: unknown): string[] {
  if (typeof map !== 'object' || map === null || Array.isArray(map)) return [];
  return Object.values(map).filter((v): v is string => typeof v === 'string');
}

/**
 * Every value of the Secrets among `objects` in the forms a message could quote it in: `data` as
 * written (base64) and decoded, `stringData` as written and encoded; longest first, so a value that
 * contains another is replaced whole.
 */
export function secretValuesOf(objects: Iterable<KubeObject | undefined>): string[] {
  const values = new Set<string>();
  for (const obj of objects) {
    if (!isSecret(obj)) continue;
    for (const encoded of stringsOf(obj.data)) {
      values.add(encoded);
      const decoded = Buffer.from(encoded, 'base64').toString('utf8');
      // A value that is not text decodes to replacement characters: only text can be quoted.
      if (!decoded.includes('\uFFFD')) values.add(decoded);
    }
    for (const plain of stringsOf(obj.stringData)) {
      values.add(plain);
      values.add(Buffer.from(plain, 'utf8').toString('base64'));
    }
  }
  return [...values].filter((v) => v.trim().length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/** `text` with every one of `values` replaced by `***`. */
export function redactSecretValues(text: string, values: readonly string[]): string {
  let out = text;
  for (const value of values) if (out.includes(value)) out = out.split(value).join('***');
  return out;
}
