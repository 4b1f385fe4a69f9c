export type { EncryptedValue, SopsValueType } from './cipher.js';
export { isEncryptedValue } from './cipher.js';
export { parseAgeIdentities, unwrapDataKey } from './data-key.js';
export type { DecryptSopsOptions } from './decrypt.js';
export { decryptSops, decryptSopsBytes, looksSopsEncrypted } from './decrypt.js';
export type { DecryptObjectsOptions } from './decrypt-objects.js';
export { decryptObjects, isSopsEncryptedObject } from './decrypt-objects.js';
export type { DecryptingFileSystemOptions } from './decrypting-file-system.js';
export { DEFAULT_MAX_ENCRYPTED_FILE_BYTES, decryptingFileSystem } from './decrypting-file-system.js';
export { DECRYPT_ANNOTATION, detectSopsFormat } from './detect.js';
export type { SopsErrorReason } from './errors.js';
export {
  SopsError,
  SopsFormatError,
  SopsMacMismatchError,
  SopsNoKeyError,
  SopsValueError,
} from './errors.js';
export type { SopsFormat } from './formats.js';
export { formatForPath } from './formats.js';
export type { DecryptionSecretKeys, SopsKeys } from './keys.js';
export { AGE_KEY_SUFFIX, decryptionKeysFromSecret, KEY_SERVICE_ENTRIES, PGP_KEY_SUFFIX } from './keys.js';
export type { AgeRecipientStanza, EncryptionRules, SopsKeyGroup, SopsMetadata } from './metadata.js';
export { parseMetadata, shouldBeEncrypted } from './metadata.js';
