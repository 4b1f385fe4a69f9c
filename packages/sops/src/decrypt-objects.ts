// What Flux's kustomize-controller decrypts after the build (its `DecryptResource`): a resource that
// carries sops metadata (`sops.mac`) as a whole, and each data entry of a Secret whose decoded value
// is a SOPS document (a secretGenerator entry made from an encrypted file), told by its MAC marker.
import { isJsonObject, type JsonObject, type KubeObject } from '@gitops-kit/core';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { decryptSops, decryptSopsBytes } from './decrypt.js';
import { DECRYPT_ANNOTATION, detectSopsFormat, mayHoldSops } from './detect.js';
import { formatForPath, type SopsFormat } from './formats.js';
import type { SopsKeys } from './keys.js';

/** Options of {@link decryptObjects}. */
export interface DecryptObjectsOptions {
  /** The largest SOPS document decrypted, in bytes (default 5 MiB, Flux's limit). */
  maxBytes?: number;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function label(obj: JsonObject): string {
  const meta = isJsonObject(obj.metadata) ? obj.metadata : {};
  const ns = typeof meta.namespace === 'string' && meta.namespace ? `${meta.namespace}/` : '';
  return `${String(obj.kind)} ${ns}${String(meta.name)}`;
}

function decryptionDisabled(obj: JsonObject): boolean {
  const meta = isJsonObject(obj.metadata) ? obj.metadata : {};
  const annotations = isJsonObject(meta.annotations) ? meta.annotations : {};
  const value = annotations[DECRYPT_ANNOTATION];
  return typeof value === 'string' && value.toLowerCase() === 'disabled';
}

/** Whether `obj` carries sops metadata with a MAC: it was encrypted as a whole. */
export function isSopsEncryptedObject(obj: JsonObject): boolean {
  return isJsonObject(obj.sops) && typeof obj.sops.mac === 'string' && obj.sops.mac !== '';
}

/** The format a Secret entry's content is written in, from its key, as Flux picks it. */
function entryFormat(key: string): SopsFormat {
  return key.endsWith('.dockerconfigjson') ? 'json' : formatForPath(key);
}

/** A decrypted document in the format its key asks for: YAML and JSON convert; others stay as they are. */
function convert(plain: string, from: SopsFormat, to: SopsFormat): string {
  if (from === 'yaml' && to === 'json') return `${JSON.stringify(parseYaml(plain), null, 2)}\n`;
  if (from === 'json' && to === 'yaml') return stringifyYaml(JSON.parse(plain), { lineWidth: 0 });
  return plain;
}

async function decryptSecretData(obj: JsonObject, keys: SopsKeys, maxBytes: number): Promise<JsonObject> {
  if (!isJsonObject(obj.data)) return obj;
  let data: JsonObject | undefined;
  for (const [key, value] of Object.entries(obj.data)) {
    // A value that is not base64 is left for the API server to refuse, as Flux does.
    if (typeof value !== 'string' || !BASE64.test(value)) continue;
    const bytes = Buffer.from(value, 'base64');
    if (!mayHoldSops(bytes)) continue;
    const text = bytes.toString('utf8');
    const from = detectSopsFormat(text, '');
    if (from === undefined) continue;
    const options = { ...keys, format: from, file: `${label(obj)} data.${key}`, maxBytes };
    const to = entryFormat(key);
    const plain =
      from === 'binary' || from === to
        ? Buffer.from(await decryptSopsBytes(text, options))
        : Buffer.from(convert(await decryptSops(text, options), from, to), 'utf8');
    data ??= { ...obj.data };
    data[key] = plain.toString('base64');
  }
  return data === undefined ? obj : { ...obj, data };
}

/**
 * Decrypts, after a build, what Flux's kustomize-controller decrypts then: an object carrying sops
 * metadata as a whole (its MAC checked: an object a transformer changed after encryption fails,
 * so decrypt its file before the build with `decryptingFileSystem`), and each `data` entry of a
 * Secret that holds a SOPS document, written back in the format its key's extension names.
 * Objects annotated `kustomize.toolkit.fluxcd.io/decrypt: disabled` are left as they are. Returns
 * new objects (the input is not changed); errors are `SopsError`s naming the object and entry.
 */
export async function decryptObjects<T extends JsonObject | KubeObject>(
  objects: readonly T[],
  keys: SopsKeys,
  options: DecryptObjectsOptions = {},
): Promise<T[]> {
  // A KubeObject is plain JSON too; its typed fields only keep it from JsonObject's index signature.
  const out = await decryptJsonObjects(objects as unknown as readonly JsonObject[], keys, options);
  return out as unknown as T[];
}

async function decryptJsonObjects<T extends JsonObject>(
  objects: readonly T[],
  keys: SopsKeys,
  options: DecryptObjectsOptions,
): Promise<T[]> {
  const maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
  const out: T[] = [];
  for (const obj of objects) {
    if (decryptionDisabled(obj)) {
      out.push(obj);
    } else if (isSopsEncryptedObject(obj)) {
      const plain = await decryptSops(JSON.stringify(obj), {
        ...keys,
        format: 'json',
        file: label(obj),
        maxBytes,
      });
      out.push(JSON.parse(plain) as T);
    } else if (obj.kind === 'Secret') {
      out.push((await decryptSecretData(obj, keys, maxBytes)) as T);
    } else {
      out.push(obj);
    }
  }
  return out;
}
