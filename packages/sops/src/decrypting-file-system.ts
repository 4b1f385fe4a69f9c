// Flux decrypts, before `kustomize build`, the files kustomize reads: secretGenerator `envs` and
// `files`, patches. Here a read-only file system does it as the renderer reads them, so every
// local file is covered (resources included, their MAC checked on the file as sops wrote it, before
// any transformer changes them) and nothing is written to disk.
import { type ReadonlyFileSystem, resolvePath } from '@gitops-kit/core';
import { decryptSopsBytes } from './decrypt.js';
import { decryptionDisabledInText, detectSopsFormat, mayHoldSops } from './detect.js';
import type { SopsKeys } from './keys.js';

/** Options of {@link decryptingFileSystem}. */
export interface DecryptingFileSystemOptions {
  /** The largest encrypted file decrypted, in bytes (default 5 MiB, Flux's limit). */
  maxBytes?: number;
}

/** Flux's `maxEncryptedFileSize`. */
export const DEFAULT_MAX_ENCRYPTED_FILE_BYTES = 5 * 1024 * 1024;

/**
 * A view of `fs` whose `readFile` answers a SOPS document (YAML, JSON, dotenv or binary, told by
 * {@link detectSopsFormat}) decrypted with `keys`, in its own format (binary: the original
 * content), and every other file as it is. A YAML or JSON file annotated
 * `kustomize.toolkit.fluxcd.io/decrypt: disabled` is left encrypted. A file that cannot be
 * decrypted rejects with a `SopsError` naming it (no key: the recipients that could have). `stat`
 * still gives the encrypted size, an upper bound for size limits. Each file is decrypted once.
 */
export function decryptingFileSystem(
  fs: ReadonlyFileSystem,
  keys: SopsKeys,
  options: DecryptingFileSystemOptions = {},
): ReadonlyFileSystem {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_ENCRYPTED_FILE_BYTES;
  // Only decrypted files are kept (each is decrypted once); plain ones are read through.
  const decrypted = new Map<string, Promise<Uint8Array>>();
  const readFile = async (path: string): Promise<Uint8Array> => {
    const key = resolvePath(fs, path);
    const known = decrypted.get(key);
    if (known !== undefined) return known;
    const bytes = await fs.readFile(path);
    if (!mayHoldSops(bytes)) return bytes;
    const text = new TextDecoder('utf-8').decode(bytes);
    const format = detectSopsFormat(text, path);
    if (format === undefined) return bytes;
    if ((format === 'yaml' || format === 'json') && decryptionDisabledInText(text)) return bytes;
    const pending = decryptSopsBytes(text, {
      ageIdentities: keys.ageIdentities,
      pgpKeys: keys.pgpKeys,
      pgpPassphrases: keys.pgpPassphrases,
      format,
      file: path,
      maxBytes,
    });
    decrypted.set(key, pending);
    return pending;
  };
  const view: ReadonlyFileSystem = {
    readFile,
    readdir: (path) => fs.readdir(path),
    stat: (path) => fs.stat(path),
    lstat: (path) => fs.lstat(path),
    readlink: (path) => fs.readlink(path),
    root: fs.root,
    origin: fs.origin,
  };
  const cwd = fs.cwd?.bind(fs);
  if (cwd) view.cwd = cwd;
  return view;
}
