/**
 * @packageDocumentation
 * @gitops-kit/oci: OCI artifacts as a source, as Flux's OCIRepository and `flux push artifact`: a
 * distribution API v2 client (token and basic auth, redirects, every blob and manifest checked
 * against its digest), pull of Flux's artifact format into a read-only file system, tag / semver /
 * digest selection with a poll that reads only the manifest digest, and push of a directory.
 */
export { archiveFileSystem } from './archive-file-system.js';
export {
  type ArchiveDirectory,
  type ArchiveFile,
  type ArchiveLimits,
  type ArchiveNode,
  type ArchiveSymlink,
  type ArchiveTree,
  DEFAULT_ARCHIVE_LIMITS,
  type FileSink,
  unpackTarGzip,
} from './archive-tree.js';
export {
  type AuthChallenge,
  basicAuthorization,
  parseWwwAuthenticate,
  type RegistryCredentials,
} from './auth.js';
export { type BuildLayerOptions, type BuiltLayer, buildLayer } from './build-layer.js';
export { DigestVerifier, sha256Digest, verifyDigest } from './digest.js';
export {
  OciAuthError,
  OciDigestMismatchError,
  OciError,
  type OciErrorReason,
  OciFormatError,
  OciHttpError,
  OciLimitError,
  OciNoMatchingTagError,
} from './errors.js';
export {
  CREATED_ANNOTATION,
  contentLayer,
  type Descriptor,
  DOCKER_LIST_MEDIA_TYPE,
  DOCKER_MANIFEST_MEDIA_TYPE,
  FLUX_CONFIG_MEDIA_TYPE,
  FLUX_CONTENT_MEDIA_TYPE,
  type ImageManifest,
  MANIFEST_ACCEPT,
  OCI_INDEX_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
  parseImageManifest,
  REVISION_ANNOTATION,
  SOURCE_ANNOTATION,
} from './manifest.js';
export {
  type OciResolution,
  type OciSnapshot,
  OciSource,
  type OciSourceOptions,
  type OciStorage,
} from './oci-source.js';
export { type PushArtifactOptions, type PushedArtifact, pushArtifact } from './push.js';
export {
  DIGEST_PATTERN,
  formatOciReference,
  isLoopbackRegistry,
  type OciReference,
  parseOciReference,
  registryEndpoint,
  TAG_PATTERN,
} from './reference.js';
export {
  type CallOptions,
  DEFAULT_REGISTRY_LIMITS,
  type FetchedManifest,
  RegistryClient,
  type RegistryClientOptions,
  type RegistryLimits,
  type UploadOptions,
} from './registry-client.js';
export { type OciRef, type RefSelection, refSelection, selectSemverTag } from './select.js';
