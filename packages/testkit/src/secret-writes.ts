import { isJsonObject, type JsonObject } from '@gitops-kit/core';
import { ApiStatusError } from './api-error.js';

// What kube-apiserver does to a core/v1 Secret as it decodes a write (create, update, every patch
// type, server-side apply): `data` is `map[string][]byte`, so each value is base64 that Go's decoder
// must accept; `stringData` is write-only — the v1 → internal conversion merges it into `data` (a
// `stringData` key wins over the same `data` key) and nothing stores it, so no GET returns it.

/** The bytes of the standard base64 alphabet. */
const IN_ALPHABET = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/')
  IN_ALPHABET[c.charCodeAt(0)] = 1;

/**
 * Where Go's `base64.StdEncoding.Decode` (what `encoding/json` decodes a `[]byte` with) finds `text`
 * invalid — the byte offset its `CorruptInputError` reports — or `undefined` when it decodes. Padding
 * is required; `\r` and `\n` are skipped anywhere.
 */
export function goBase64ErrorOffset(text: string): number | undefined {
  const src = Buffer.from(text, 'utf8');
  const isNl = (b: number | undefined) => b === 0x0a || b === 0x0d;
  let si = 0;
  for (;;) {
    // One quantum of four characters, as decodeQuantum reads it.
    let j = 0;
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return undefined;
        return si - j;
      }
      const b = src[si] as number;
      si++;
      if (IN_ALPHABET[b] === 1) continue;
      if (isNl(b)) {
        j--;
        continue;
      }
      if (b !== 0x3d) return si - 1;
      // Padding: only after two or three characters, and then the input must end.
      if (j < 2) return si - 1;
      if (j === 2) {
        while (si < src.length && isNl(src[si])) si++;
        if (si === src.length) return src.length;
        if (src[si] !== 0x3d) return si - 1;
        si++;
      }
      while (si < src.length && isNl(src[si])) si++;
      return si < src.length ? si : undefined;
    }
  }
}

/**
 * Decodes a Secret write as kube-apiserver does: refuses `data` values that are not base64 (400, as
 * the decoder words it), then merges `stringData` into `data` and drops it. `obj` is changed in place.
 */
export function convertSecretWrite(kind: string, version: string, obj: JsonObject): void {
  if (isJsonObject(obj.data)) {
    for (const value of Object.values(obj.data)) {
      if (typeof value !== 'string') continue; // a wrong type is the schema check's to refuse
      const offset = goBase64ErrorOffset(value);
      if (offset !== undefined) {
        throw new ApiStatusError(
          400,
          'BadRequest',
          `${kind} in version "${version}" cannot be handled as a ${kind}: illegal base64 data at input byte ${offset}`,
        );
      }
    }
  }
  if (obj.stringData === undefined) return;
  if (isJsonObject(obj.stringData)) {
    const data: JsonObject = isJsonObject(obj.data) ? obj.data : {};
    for (const [key, value] of Object.entries(obj.stringData)) {
      if (typeof value === 'string') data[key] = Buffer.from(value, 'utf8').toString('base64');
    }
    if (Object.keys(data).length > 0) obj.data = data;
  }
  delete obj.stringData;
}
