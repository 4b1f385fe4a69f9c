import { createHash } from 'node:crypto';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { GitOpsError } from '@gitops-kit/core';
import { type Header, pack as tarPack } from 'tar-stream';
import { OciLimitError } from './errors.js';

/** Options of {@link buildLayer}. */
export interface BuildLayerOptions {
  /** Leaves out an entry (a path relative to the directory, `/`-separated) when it answers true. */
  ignore?: ((path: string, type: 'file' | 'directory') => boolean) | undefined;
  /** The largest compressed layer built (default 256 MiB). */
  maxBytes?: number | undefined;
}

/** A built layer: the tar+gzip bytes and their digests. */
export interface BuiltLayer {
  /** The compressed layer. */
  data: Buffer;
  /** The digest of `data`. */
  digest: string;
  /** The digest of the uncompressed tar (an image config's `diff_id`). */
  diffId: string;
  /** How many files and directories it holds. */
  entries: number;
}

/** The time every entry carries: the Unix epoch, as Flux's zeroed `ModTime` is written. */
const EPOCH = new Date(0);

/**
 * The entries of `dir`, depth first in byte order of their names (what `filepath.Walk`, which
 * `flux push artifact` uses, gives), as `/`-separated relative paths. Symlinks and anything that
 * is not a regular file or a directory are left out, as Flux leaves them out.
 */
async function walk(
  dir: string,
  prefix: string,
  ignore: BuildLayerOptions['ignore'],
  out: Array<{ path: string; abs: string; type: 'file' | 'directory'; mode: number }>,
): Promise<void> {
  const names = (await readdir(dir)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const name of names) {
    const abs = join(dir, name);
    const path = prefix === '' ? name : `${prefix}/${name}`;
    const info = await lstat(abs);
    const type = info.isDirectory() ? 'directory' : info.isFile() ? 'file' : undefined;
    if (type === undefined || ignore?.(path, type) === true) continue;
    out.push({ path, abs, type, mode: info.mode });
    if (type === 'directory') await walk(abs, path, ignore, out);
  }
}

/**
 * Packs a directory as Flux's artifact layer (`flux push artifact`): a gzip-compressed tar of its
 * files and directories in walk order, each with mtime 0, uid and gid 0 and no user or group
 * names, so the same tree always gives the same bytes and digest. Modes are normalised as git
 * stores them (0755 for directories and executable files, 0644 for the rest), so the digest does
 * not depend on the umask of the checkout either.
 */
export async function buildLayer(dir: string, options: BuildLayerOptions = {}): Promise<BuiltLayer> {
  const root = await lstat(dir).catch(() => undefined);
  if (root === undefined || !root.isDirectory()) {
    throw new GitOpsError('NOT_FOUND', `${dir} is not a directory`, { file: dir });
  }
  const entries: Array<{ path: string; abs: string; type: 'file' | 'directory'; mode: number }> = [];
  await walk(dir, '', options.ignore, entries);
  const maxBytes = options.maxBytes ?? 256 * 1024 * 1024;

  const pack = tarPack();
  const gzip = createGzip({ level: 6 });
  const tarHash = createHash('sha256');
  const gzHash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  let failure: unknown;
  pack.on('data', (chunk: unknown) => {
    tarHash.update(chunk as Buffer);
  });
  gzip.on('data', (chunk: Buffer) => {
    gzHash.update(chunk);
    chunks.push(chunk);
    size += chunk.length;
    if (size > maxBytes && failure === undefined) {
      failure = new OciLimitError(`the layer built from ${dir} is over ${maxBytes} bytes`, maxBytes);
      pack.destroy();
    }
  });
  const finished = new Promise<void>((resolve, reject) => {
    gzip.on('end', resolve);
    gzip.on('error', reject);
    pack.on('error', reject);
  });
  pack.pipe(gzip);

  for (const entry of entries) {
    if (failure !== undefined) break;
    const header: Partial<Header> & { name: string } = {
      name: entry.path,
      type: entry.type,
      mode: entry.type === 'directory' || (entry.mode & 0o111) !== 0 ? 0o755 : 0o644,
      mtime: EPOCH,
      uid: 0,
      gid: 0,
      uname: '',
      gname: '',
    };
    const content = entry.type === 'file' ? await readFile(entry.abs) : undefined;
    await new Promise<void>((resolve, reject) => {
      if (content === undefined) pack.entry(header, (err) => (err ? reject(err) : resolve()));
      else pack.entry({ ...header, size: content.length }, content, (err) => (err ? reject(err) : resolve()));
    });
  }
  pack.finalize();
  await finished.catch((err) => {
    throw failure ?? err;
  });
  if (failure !== undefined) throw failure;
  const data = Buffer.concat(chunks, size);
  return {
    data,
    digest: `sha256:${gzHash.digest('hex')}`,
    diffId: `sha256:${tarHash.digest('hex')}`,
    entries: entries.length,
  };
}
