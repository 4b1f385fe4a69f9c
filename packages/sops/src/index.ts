export type { EncryptedValue, SopsValueType } from './cipher.js';
export { isEncryptedValue } from './cipher.js';
export { parseAgeIdentities, unwrapDataKey } from './data-key.js';
export type { DecryptSopsOptions } from './decrypt.js';
export { decryptSops, looksSopsEncrypted } from './decrypt.js';
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
export type { AgeRecipientStanza, EncryptionRules, SopsMetadata } from './metadata.js';
export { parseMetadata, shouldBeEncrypted } from './metadata.js';
