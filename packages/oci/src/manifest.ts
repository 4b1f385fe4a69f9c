import { OciFormatError } from './errors.js';
import { DIGEST_PATTERN } from './reference.js';

/** The OCI image manifest's media type. */
export const OCI_MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
/** The OCI image index's media type (a list of manifests, which a Flux artifact is not). */
export const OCI_INDEX_MEDIA_TYPE = 'application/vnd.oci.image.index.v1+json';
/** Docker's schema 2 manifest, the same shape as an OCI manifest. */
export const DOCKER_MANIFEST_MEDIA_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';
/** Docker's manifest list. */
export const DOCKER_LIST_MEDIA_TYPE = 'application/vnd.docker.distribution.manifest.list.v2+json';
/** Flux's artifact config media type (`flux push artifact`). */
export const FLUX_CONFIG_MEDIA_TYPE = 'application/vnd.cncf.flux.config.v1+json';
/** Flux's artifact content media type: one tar+gzip layer of the pushed directory. */
export const FLUX_CONTENT_MEDIA_TYPE = 'application/vnd.cncf.flux.content.v1.tar+gzip';
/** The annotation naming where an artifact's content came from (a repository URL). */
export const SOURCE_ANNOTATION = 'org.opencontainers.image.source';
/** The annotation naming the source's revision (`main@sha1:<commit>`). */
export const REVISION_ANNOTATION = 'org.opencontainers.image.revision';
/** The annotation giving when the artifact was built (RFC 3339). */
export const CREATED_ANNOTATION = 'org.opencontainers.image.created';

/** The manifest media types asked for (`Accept`), the usable ones first. */
export const MANIFEST_ACCEPT = [
  OCI_MANIFEST_MEDIA_TYPE,
  DOCKER_MANIFEST_MEDIA_TYPE,
  OCI_INDEX_MEDIA_TYPE,
  DOCKER_LIST_MEDIA_TYPE,
].join(', ');

/** A content descriptor: what a manifest says of a blob. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string> | undefined;
}

/** An OCI image manifest (or Docker schema 2, the same shape), as plain JSON. */
export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string | undefined;
  artifactType?: string | undefined;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string> | undefined;
}

function isRecordOfStrings(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string')
  );
}

function descriptor(value: unknown, where: string, what: string): Descriptor {
  const d = value as Partial<Descriptor> | null;
  if (
    typeof d !== 'object' ||
    d === null ||
    typeof d.mediaType !== 'string' ||
    typeof d.digest !== 'string' ||
    !DIGEST_PATTERN.test(d.digest) ||
    typeof d.size !== 'number' ||
    !Number.isSafeInteger(d.size) ||
    d.size < 0 ||
    (d.annotations !== undefined && !isRecordOfStrings(d.annotations))
  ) {
    throw new OciFormatError('OCI_MANIFEST', `${what}: ${where} is not a valid descriptor`, { path: where });
  }
  return {
    mediaType: d.mediaType,
    digest: d.digest,
    size: d.size,
    ...(d.annotations === undefined ? {} : { annotations: d.annotations }),
  };
}

/**
 * Parses and checks an image manifest's bytes: schema version 2, a config and layers that are
 * valid descriptors, annotations that are strings. An index (a list of manifests) is refused:
 * Flux artifacts are single manifests.
 */
export function parseImageManifest(bytes: Uint8Array, what: string, contentType?: string): ImageManifest {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new OciFormatError('OCI_MANIFEST', `${what}: the manifest is not JSON`, { cause: err });
  }
  const m = json as Partial<ImageManifest> & { manifests?: unknown };
  if (typeof m !== 'object' || m === null || Array.isArray(m)) {
    throw new OciFormatError('OCI_MANIFEST', `${what}: the manifest is not a JSON object`);
  }
  const mediaType = m.mediaType ?? contentType;
  if (
    mediaType === OCI_INDEX_MEDIA_TYPE ||
    mediaType === DOCKER_LIST_MEDIA_TYPE ||
    m.manifests !== undefined
  ) {
    throw new OciFormatError('OCI_MANIFEST', `${what}: an image index, not an artifact's manifest`);
  }
  if (m.schemaVersion !== 2) {
    throw new OciFormatError('OCI_MANIFEST', `${what}: schemaVersion is ${String(m.schemaVersion)}, not 2`);
  }
  if (!Array.isArray(m.layers)) throw new OciFormatError('OCI_MANIFEST', `${what}: no layers`);
  if (m.annotations !== undefined && !isRecordOfStrings(m.annotations)) {
    throw new OciFormatError('OCI_MANIFEST', `${what}: annotations are not strings`, { path: 'annotations' });
  }
  return {
    schemaVersion: 2,
    ...(m.mediaType === undefined ? {} : { mediaType: m.mediaType }),
    ...(typeof m.artifactType === 'string' ? { artifactType: m.artifactType } : {}),
    config: descriptor(m.config, 'config', what),
    layers: m.layers.map((l, i) => descriptor(l, `layers[${i}]`, what)),
    ...(m.annotations === undefined ? {} : { annotations: m.annotations }),
  };
}

/**
 * The layer of a Flux artifact: the first layer of media type
 * `application/vnd.cncf.flux.content.v1.tar+gzip` (as the source-controller's default layer
 * selector), or, when `mediaType` is given, the first of that type.
 */
export function contentLayer(
  manifest: ImageManifest,
  what: string,
  mediaType = FLUX_CONTENT_MEDIA_TYPE,
): Descriptor {
  const layer = manifest.layers.find((l) => l.mediaType === mediaType);
  if (layer === undefined) {
    const types = manifest.layers.map((l) => l.mediaType).join(', ') || 'none';
    throw new OciFormatError(
      'OCI_MANIFEST',
      `${what}: no layer of media type ${mediaType} (layers: ${types})`,
    );
  }
  return layer;
}
