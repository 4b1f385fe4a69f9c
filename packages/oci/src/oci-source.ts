import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReadonlyFileSystem } from '@gitops-kit/core';
import { archiveFileSystem } from './archive-file-system.js';
import { type ArchiveLimits, type ArchiveTree, type FileSink, unpackTarGzip } from './archive-tree.js';
import { contentLayer, FLUX_CONTENT_MEDIA_TYPE, type ImageManifest } from './manifest.js';
import { formatOciReference, type OciReference, parseOciReference } from './reference.js';
import { type CallOptions, RegistryClient, type RegistryClientOptions } from './registry-client.js';
import { type OciRef, type RefSelection, refSelection, selectSemverTag } from './select.js';

/**
 * Where an {@link OciSource} keeps the files it unpacks: in memory (the default), or in a directory
 * of its own under `dir` (one per artifact, removed when two newer ones have replaced it, or on
 * `close()`), with only the tree in memory.
 */
export type OciStorage = { type: 'memory' } | { type: 'disk'; dir: string };

/** Options of an {@link OciSource}. */
export interface OciSourceOptions extends Omit<RegistryClientOptions, 'registry'> {
  /** The repository: `oci://registry/repository` (an OCIRepository's `url`). */
  url: string;
  /** Which artifact to follow (default: the tag `latest`). */
  ref?: OciRef | undefined;
  /** The layer to unpack, by media type (default Flux's content type). */
  layerMediaType?: string | undefined;
  /** Limits on what the layer unpacks to. */
  archiveLimits?: Partial<ArchiveLimits> | undefined;
  /** A client to use (its registry must be the URL's); one is made otherwise. */
  client?: RegistryClient | undefined;
  /** Where unpacked files are kept (default in memory). */
  storage?: OciStorage | undefined;
}

/** Which artifact a ref resolves to now. */
export interface OciResolution {
  /** The manifest's digest. */
  digest: string;
  /** The tag it was reached through, unless selected by digest. */
  tag?: string | undefined;
  /** Flux's revision: `<tag>@sha256:<hex>`, or the digest alone. */
  revision: string;
}

/** The files of one artifact, read-only, as a git snapshot gives them. */
export interface OciSnapshot extends OciResolution {
  /** The file system: `/` is the archive's root, symlinks confined. */
  fs: ReadonlyFileSystem;
  /** The manifest's annotations (`org.opencontainers.image.source`, `.revision`, `.created`). */
  annotations: Record<string, string>;
  /** The manifest. */
  manifest: ImageManifest;
  /** `oci://registry/repository@digest`. */
  url: string;
  /** The unpacked content's size: files and directories, bytes of file content. */
  size: { entries: number; bytes: number };
}

/**
 * Follows one repository of an OCI registry as Flux's OCIRepository does: `resolve()` finds the
 * digest the ref points at with HEAD requests only (and the tag list for a semver range);
 * `fetch()` does the same, and downloads and unpacks the artifact's layer only when the digest
 * changed, so a poll of an unchanged artifact costs one HEAD and no blob. The layer is streamed,
 * checked against its digest, and unpacked into memory; a corrupted layer is refused
 * (`OciDigestMismatchError`) and nothing of it is used.
 */
export class OciSource {
  /** The repository, parsed. */
  readonly reference: OciReference;
  private readonly selection: RefSelection;
  private readonly client: RegistryClient;
  private last: OciSnapshot | undefined;
  /** The storage directories of the artifacts held, oldest first. */
  private readonly dirs: string[] = [];

  constructor(private readonly options: OciSourceOptions) {
    const ref = parseOciReference(options.url);
    if (ref.tag !== undefined || ref.digest !== undefined) {
      // A tag or digest in the URL is a ref of its own, below an explicit one.
      this.selection = refSelection({ tag: ref.tag, digest: ref.digest, ...definedOnly(options.ref) });
    } else {
      this.selection = refSelection(options.ref);
    }
    this.reference = { registry: ref.registry, repository: ref.repository };
    this.client = options.client ?? new RegistryClient({ ...options, registry: ref.registry });
  }

  /** `oci://registry/repository`. */
  get url(): string {
    return formatOciReference(this.reference);
  }

  /** The digest the ref points at now: HEAD requests, no body (and the tag list for semver). */
  async resolve(options: CallOptions = {}): Promise<OciResolution> {
    const { repository } = this.reference;
    const selection = this.selection;
    if (selection.kind === 'digest') {
      // A digest names its content for ever: only its presence is checked, once.
      if (this.last?.digest !== selection.digest)
        await this.client.resolveManifest(repository, selection.digest, options);
      return { digest: selection.digest, revision: selection.digest };
    }
    const tag =
      selection.kind === 'tag'
        ? selection.tag
        : selectSemverTag(await this.client.listTags(repository, options), selection.range, selection.filter);
    const digest = await this.client.resolveManifest(repository, tag, options);
    return { digest, tag, revision: `${tag}@${digest}` };
  }

  /**
   * The artifact the ref points at now. Unchanged since the last fetch: the same snapshot, and no
   * manifest or blob is read.
   */
  async fetch(options: CallOptions = {}): Promise<OciSnapshot> {
    const resolution = await this.resolve(options);
    if (this.last !== undefined && this.last.digest === resolution.digest) {
      this.last = { ...this.last, ...resolution };
      return this.last;
    }
    const { repository } = this.reference;
    const fetched = await this.client.getManifest(repository, resolution.digest, options);
    const url = `${this.url}@${resolution.digest}`;
    const layer = contentLayer(fetched.manifest, url, this.options.layerMediaType ?? FLUX_CONTENT_MEDIA_TYPE);
    const tree = await this.unpack(repository, layer.digest, layer.size, url, options);
    this.last = {
      ...resolution,
      fs: archiveFileSystem(tree, url),
      annotations: { ...fetched.manifest.annotations },
      manifest: fetched.manifest,
      url,
      size: { entries: tree.entries, bytes: tree.bytes },
    };
    return this.last;
  }

  /** Streams the layer into a tree: in memory, or to a new storage directory (dropped on failure). */
  private async unpack(
    repository: string,
    digest: string,
    size: number,
    url: string,
    options: CallOptions,
  ): Promise<ArchiveTree> {
    const storage = this.options.storage;
    const store = storage?.type === 'disk' ? await diskStore(storage.dir, digest) : undefined;
    const blob = this.client.streamBlob(repository, digest, { ...options, size });
    try {
      const tree = await unpackTarGzip(blob, url, this.options.archiveLimits, store?.sink);
      if (store !== undefined) {
        this.dirs.push(store.dir);
        // The previous artifact stays readable (a render may still hold it); older ones go.
        while (this.dirs.length > 2) await rm(this.dirs.shift() as string, { recursive: true, force: true });
      }
      return tree;
    } catch (err) {
      if (store !== undefined) await rm(store.dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Removes the storage directories this source wrote (disk storage); its snapshots become unreadable. */
  async close(): Promise<void> {
    for (const dir of this.dirs.splice(0)) await rm(dir, { recursive: true, force: true });
    this.last = undefined;
  }
}

/** A storage directory for one artifact, and the sink that writes its files there. */
async function diskStore(base: string, digest: string): Promise<{ dir: string; sink: FileSink }> {
  const dir = join(base, `${digest.replace(/^sha(256|512):/, '').slice(0, 16)}-${randomUUID().slice(0, 8)}`);
  await mkdir(dir, { recursive: true });
  let next = 0;
  return {
    dir,
    // Files are numbered, not named: the directory holds no path an archive chose.
    sink: async (data) => {
      const path = join(dir, String(next++));
      await writeFile(path, data);
      return path;
    },
  };
}

function definedOnly(ref: OciRef | undefined): OciRef {
  const out: OciRef = {};
  for (const [key, value] of Object.entries(ref ?? {})) {
    if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  }
  return out;
}
