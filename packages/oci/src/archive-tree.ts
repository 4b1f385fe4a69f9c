import { posix } from 'node:path';
import { createGunzip } from 'node:zlib';
import { isGitOpsError, SecurityError } from '@gitops-kit/core';
import { type Header, extract as tarExtract } from 'tar-stream';
import { OciFormatError, OciLimitError } from './errors.js';

/** Limits on what an artifact's archive may unpack to. */
export interface ArchiveLimits {
  /** The most bytes of file content (default 100 MiB, Flux's `DefaultMaxUntarSize`). */
  maxUnpackedBytes: number;
  /** The most entries: files, directories, links (default 100,000). */
  maxEntries: number;
  /** The longest entry path in characters (default 4,096). */
  maxPathLength: number;
}

/** The default {@link ArchiveLimits}. */
export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxUnpackedBytes: 100 * 1024 * 1024,
  maxEntries: 100_000,
  maxPathLength: 4096,
};

/** A directory of an unpacked archive. */
export interface ArchiveDirectory {
  type: 'directory';
  children: Map<string, ArchiveNode>;
}
/**
 * A regular file of an unpacked archive: its content in memory (`data`), or in a file of the
 * storage directory (`diskPath`) when the archive was unpacked to disk.
 */
export interface ArchiveFile {
  type: 'file';
  size: number;
  data?: Buffer | undefined;
  diskPath?: string | undefined;
}
/** A symbolic link of an unpacked archive, its target as stored. */
export interface ArchiveSymlink {
  type: 'symlink';
  target: string;
}
/** One entry of an unpacked archive. */
export type ArchiveNode = ArchiveDirectory | ArchiveFile | ArchiveSymlink;

/** The file content of an unpacked archive, with what it cost. */
export interface ArchiveTree {
  root: ArchiveDirectory;
  /** How many entries it holds (the root excluded). */
  entries: number;
  /** The bytes of file content it holds. */
  bytes: number;
}

/**
 * The repository-relative parts of an entry's name: `./a/b/` is `['a', 'b']`, `.` the root (`[]`).
 * An absolute name or one whose `..` climbs out is refused (`SecurityError`).
 */
export function entryParts(name: string, origin: string): string[] {
  if (name.startsWith('/')) {
    throw new SecurityError(`${origin}: archive entry "${name}" is an absolute path`, {
      file: name,
      code: 'ABSOLUTE_PATH',
    });
  }
  const normal = posix.normalize(name).replace(/\/+$/, '');
  if (normal === '..' || normal.startsWith('../')) {
    throw new SecurityError(`${origin}: archive entry "${name}" leaves the artifact`, {
      file: name,
      code: 'PATH_ESCAPE',
    });
  }
  return normal === '.' || normal === '' ? [] : normal.split('/');
}

/** Builds the tree entry by entry; each path's parents are made as needed. */
class TreeBuilder {
  readonly tree: ArchiveTree = { root: { type: 'directory', children: new Map() }, entries: 0, bytes: 0 };

  constructor(
    private readonly limits: ArchiveLimits,
    private readonly origin: string,
  ) {}

  /** The directory that holds `parts`' last component, made as needed. */
  private parentOf(parts: string[], name: string): ArchiveDirectory {
    let dir = this.tree.root;
    for (const part of parts.slice(0, -1)) {
      let next = dir.children.get(part);
      if (next === undefined) {
        next = { type: 'directory', children: new Map() };
        dir.children.set(part, next);
        this.count(name);
      } else if (next.type !== 'directory') {
        throw new OciFormatError(
          'OCI_ARCHIVE',
          `${this.origin}: archive entry "${name}" lies under a ${next.type}`,
          {
            file: name,
          },
        );
      }
      dir = next;
    }
    return dir;
  }

  private count(name: string): void {
    if (++this.tree.entries > this.limits.maxEntries) {
      throw new OciLimitError(
        `${this.origin}: the archive has more than ${this.limits.maxEntries} entries (at "${name}")`,
        this.limits.maxEntries,
      );
    }
  }

  /** Adds an entry; a later entry of the same path replaces an earlier one, as `tar -x` does. */
  add(name: string, node: ArchiveNode): void {
    if (name.length > this.limits.maxPathLength) {
      throw new OciLimitError(
        `${this.origin}: an archive entry's path is over ${this.limits.maxPathLength} characters`,
        this.limits.maxPathLength,
      );
    }
    const parts = entryParts(name, this.origin);
    const last = parts.at(-1);
    if (last === undefined) return; // the root itself
    const parent = this.parentOf(parts, name);
    const existing = parent.children.get(last);
    if (existing?.type === 'directory' && node.type === 'directory') return;
    if (existing === undefined) this.count(name);
    if (existing?.type === 'file') this.tree.bytes -= existing.size;
    if (node.type === 'file') this.tree.bytes += node.size;
    parent.children.set(last, node);
  }

  /** The file a hard link names, from what was unpacked so far. */
  linkTarget(name: string, target: string): ArchiveFile {
    let node: ArchiveNode | undefined = this.tree.root;
    for (const part of entryParts(target, this.origin)) {
      node = node?.type === 'directory' ? node.children.get(part) : undefined;
    }
    if (node?.type !== 'file') {
      throw new OciFormatError(
        'OCI_ARCHIVE',
        `${this.origin}: hard link "${name}" names "${target}", not an earlier file`,
        {
          file: name,
        },
      );
    }
    return node;
  }

  /** Refuses content past the byte limit before it is read. */
  reserve(name: string, size: number): void {
    if (this.tree.bytes + size > this.limits.maxUnpackedBytes) {
      throw new OciLimitError(
        `${this.origin}: the archive unpacks to more than ${this.limits.maxUnpackedBytes} bytes (at "${name}")`,
        this.limits.maxUnpackedBytes,
      );
    }
  }
}

/** The content of one entry in a buffer of its exact size (never a view that pins a larger one). */
async function readEntry(
  stream: AsyncIterable<Uint8Array>,
  size: number,
  name: string,
  origin: string,
): Promise<Buffer> {
  const data = Buffer.allocUnsafe(size);
  let offset = 0;
  for await (const chunk of stream) {
    if (offset + chunk.length > size) {
      throw new OciFormatError('OCI_ARCHIVE', `${origin}: entry "${name}" is longer than its header says`, {
        file: name,
      });
    }
    data.set(chunk, offset);
    offset += chunk.length;
  }
  if (offset !== size) {
    throw new OciFormatError('OCI_ARCHIVE', `${origin}: entry "${name}" is truncated`, { file: name });
  }
  return data;
}

/** Adds one tar entry to the tree; its content is read here. */
async function addEntry(
  builder: TreeBuilder,
  header: Header,
  stream: AsyncIterable<Uint8Array>,
  origin: string,
  sink: FileSink | undefined,
): Promise<void> {
  const name = header.name;
  switch (header.type) {
    case 'file':
    case 'contiguous-file':
    case null:
    case undefined: {
      const size = header.size ?? 0;
      builder.reserve(name, size);
      const data = await readEntry(stream, size, name, origin);
      builder.add(
        name,
        sink === undefined
          ? { type: 'file', size, data }
          : { type: 'file', size, diskPath: await sink(data) },
      );
      return;
    }
    case 'directory':
      builder.add(name, { type: 'directory', children: new Map() });
      break;
    case 'symlink':
      builder.add(name, { type: 'symlink', target: header.linkname ?? '' });
      break;
    case 'link': {
      const file = builder.linkTarget(name, header.linkname ?? '');
      builder.reserve(name, file.size);
      builder.add(name, { ...file });
      break;
    }
    default:
      throw new OciFormatError(
        'OCI_ARCHIVE',
        `${origin}: archive entry "${name}" is a ${header.type}, which an artifact may not hold`,
        {
          file: name,
        },
      );
  }
  for await (const _ of stream) {
    // drain: links and directories have no content, but the stream must end
  }
}

/**
 * Where file content goes instead of memory: given each file's bytes, stores them and answers the
 * path they can be read back from.
 */
export type FileSink = (data: Buffer) => Promise<string>;

/**
 * Unpacks a tar+gzip stream into memory (or, with `sink`, the file content into storage and only
 * the tree into memory), entry by entry, within `limits`: paths confined (no
 * absolute name, no `..` out), entry count, content bytes and path length bounded; devices and
 * FIFOs refused. Content is copied into buffers of each file's exact size as it streams, so the
 * compressed stream is never held whole. When the archive turns out malformed, the rest of the
 * stream is still read, so that a source which checks a digest at its end (a blob) reports the
 * corruption as what it is: the source's error wins over the archive's.
 */
export async function unpackTarGzip(
  chunks: AsyncIterable<Uint8Array>,
  origin: string,
  limits: Partial<ArchiveLimits> = {},
  sink?: FileSink,
): Promise<ArchiveTree> {
  const builder = new TreeBuilder({ ...DEFAULT_ARCHIVE_LIMITS, ...limits }, origin);
  const gunzip = createGunzip();
  const extract = tarExtract();
  const state: PumpState = { archiveFailed: false, abandon: false, sourceError: undefined };
  gunzip.on('error', (err) =>
    extract.destroy(
      new OciFormatError('OCI_ARCHIVE', `${origin}: the layer is not valid gzip: ${err.message}`, {
        cause: err,
      }),
    ),
  );
  gunzip.pipe(extract as unknown as NodeJS.WritableStream);
  const pumping = pump(chunks, gunzip, extract, state);
  let archiveError: unknown;
  try {
    for await (const entry of extract)
      await addEntry(builder, entry.header, entry as unknown as AsyncIterable<Uint8Array>, origin, sink);
  } catch (err) {
    archiveError = wrapTarError(err, origin);
    state.archiveFailed = true;
    // A limit or a refused path: stop reading. A malformed archive: read on, for the digest's word.
    state.abandon = !(archiveError instanceof OciFormatError) && state.sourceError === undefined;
    gunzip.destroy();
  }
  await pumping;
  if (state.sourceError !== undefined) throw state.sourceError;
  if (archiveError !== undefined) throw archiveError;
  return builder.tree;
}

interface PumpState {
  archiveFailed: boolean;
  abandon: boolean;
  sourceError: unknown;
}

/** Feeds the chunks to gunzip with backpressure; after an archive error, drains (or abandons) them. */
async function pump(
  chunks: AsyncIterable<Uint8Array>,
  gunzip: ReturnType<typeof createGunzip>,
  extract: { destroy(err?: Error): void },
  state: PumpState,
): Promise<void> {
  const iterator = chunks[Symbol.asyncIterator]();
  try {
    for (;;) {
      if (state.abandon) {
        await iterator.return?.();
        return;
      }
      const next = await iterator.next();
      if (next.done === true) break;
      if (state.archiveFailed) continue;
      if (!gunzip.write(next.value)) {
        await new Promise<void>((resolve) => {
          const go = () => {
            gunzip.off('drain', go);
            gunzip.off('close', go);
            resolve();
          };
          gunzip.on('drain', go);
          gunzip.on('close', go);
        });
      }
    }
    if (!state.archiveFailed) gunzip.end();
  } catch (err) {
    state.sourceError = err;
    gunzip.destroy();
    extract.destroy(err as Error);
  }
}

function wrapTarError(err: unknown, origin: string): unknown {
  if (isGitOpsError(err)) return err;
  return new OciFormatError(
    'OCI_ARCHIVE',
    `${origin}: the layer is not a valid tar archive: ${(err as Error).message}`,
    {
      cause: err,
    },
  );
}
