import { type BuildLayerOptions, buildLayer } from './build-layer.js';
import { sha256Digest } from './digest.js';
import { OciFormatError } from './errors.js';
import {
  CREATED_ANNOTATION,
  FLUX_CONFIG_MEDIA_TYPE,
  FLUX_CONTENT_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
  REVISION_ANNOTATION,
  SOURCE_ANNOTATION,
} from './manifest.js';
import { parseOciReference } from './reference.js';
import { type CallOptions, RegistryClient, type RegistryClientOptions } from './registry-client.js';

/** Options of {@link pushArtifact}. */
export interface PushArtifactOptions
  extends Omit<RegistryClientOptions, 'registry'>,
    CallOptions,
    Pick<BuildLayerOptions, 'ignore'> {
  /** Where to push: `oci://registry/repository:tag` (or `@digest`-less; the tag defaults to `latest`). */
  url: string;
  /** The directory whose files become the artifact. */
  dir: string;
  /** `org.opencontainers.image.source`: where the content came from (`--source`). */
  source?: string | undefined;
  /** `org.opencontainers.image.revision`: the source's revision (`--revision`, e.g. `main@sha1:<hex>`). */
  revision?: string | undefined;
  /** More annotations on the manifest. */
  annotations?: Record<string, string> | undefined;
  /** `org.opencontainers.image.created` (default: now, RFC 3339 to the second). */
  created?: Date | undefined;
  /** Upload the layer in PATCH chunks of this size instead of one PUT. */
  chunkSize?: number | undefined;
  /** A client to push through (its registry must be the URL's); one is made otherwise. */
  client?: RegistryClient | undefined;
}

/** What {@link pushArtifact} pushed. */
export interface PushedArtifact {
  /** The manifest's digest. */
  digest: string;
  /** `oci://registry/repository@digest`. */
  url: string;
  /** The tag it was pushed under. */
  tag: string;
  /** The layer's digest and size. */
  layer: { digest: string; size: number };
}

/** The image config go-containerregistry writes for the empty image with one layer appended (Flux's config). */
function configFor(diffId: string): Buffer {
  const zero = '0001-01-01T00:00:00Z';
  return Buffer.from(
    JSON.stringify({
      architecture: '',
      created: zero,
      history: [{ created: zero }],
      os: '',
      rootfs: { type: 'layers', diff_ids: [diffId] },
      config: {},
    }),
  );
}

/** RFC 3339 to the second, as Go's `time.RFC3339` prints a UTC time. */
function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Pushes a directory as a Flux artifact, as `flux push artifact` does: one deterministic tar+gzip
 * layer of media type `application/vnd.cncf.flux.content.v1.tar+gzip` ({@link buildLayer}), a
 * config of media type `application/vnd.cncf.flux.config.v1+json`, and an OCI manifest annotated
 * with the source, the revision and the creation time, stored under the URL's tag. Blobs the
 * repository already holds are not uploaded again.
 */
export async function pushArtifact(options: PushArtifactOptions): Promise<PushedArtifact> {
  const ref = parseOciReference(options.url);
  if (ref.digest !== undefined) {
    throw new OciFormatError('OCI_REFERENCE', `${options.url}: push to a tag, not to a digest`);
  }
  const tag = ref.tag ?? 'latest';
  const client = options.client ?? new RegistryClient({ ...options, registry: ref.registry });
  const layer = await buildLayer(options.dir, {
    ignore: options.ignore,
    maxBytes: client.limits.maxBlobBytes,
  });
  const config = configFor(layer.diffId);
  const call = { signal: options.signal };
  const configDigest = await client.uploadBlob(ref.repository, config, call);
  await client.uploadBlob(ref.repository, layer.data, { ...call, chunkSize: options.chunkSize });
  const annotations: Record<string, string> = {
    [CREATED_ANNOTATION]: rfc3339(options.created ?? new Date()),
    ...(options.revision === undefined ? {} : { [REVISION_ANNOTATION]: options.revision }),
    ...(options.source === undefined ? {} : { [SOURCE_ANNOTATION]: options.source }),
    ...options.annotations,
  };
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST_MEDIA_TYPE,
      config: { mediaType: FLUX_CONFIG_MEDIA_TYPE, size: config.length, digest: configDigest },
      layers: [{ mediaType: FLUX_CONTENT_MEDIA_TYPE, size: layer.data.length, digest: layer.digest }],
      annotations,
    }),
  );
  await client.putManifest(ref.repository, tag, manifest, OCI_MANIFEST_MEDIA_TYPE, call);
  const digest = sha256Digest(manifest);
  return {
    digest,
    url: `oci://${ref.registry}/${ref.repository}@${digest}`,
    tag,
    layer: { digest: layer.digest, size: layer.data.length },
  };
}
