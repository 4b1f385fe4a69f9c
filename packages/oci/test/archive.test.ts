// The unpacked artifact's file system: paths confined (no `..` out, no absolute entry, no symlink
// out), limits on entries and bytes, and hostile archives refused with typed errors.
import { gzipSync } from 'node:zlib';
import { pack as tarPack } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { archiveFileSystem, OciFormatError, OciLimitError, unpackTarGzip } from '../src/index.js';

type Entry = {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'fifo';
  content?: string;
  linkname?: string;
};

/** A tar+gzip archive of `entries`, written by tar-stream (names taken as given, hostile ones too). */
async function archive(entries: Entry[]): Promise<Buffer> {
  const pack = tarPack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const ended = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  for (const e of entries) {
    const type = e.type ?? 'file';
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null) => (err ? reject(err) : resolve());
      if (type === 'file') pack.entry({ name: e.name, type }, e.content ?? '', done);
      else pack.entry({ name: e.name, type, linkname: e.linkname }, done);
    });
  }
  pack.finalize();
  await ended;
  return gzipSync(Buffer.concat(chunks));
}

async function* once(bytes: Buffer): AsyncGenerator<Uint8Array> {
  // Small chunks, so entries span chunk boundaries.
  for (let i = 0; i < bytes.length; i += 100) yield bytes.subarray(i, i + 100);
}

async function unpack(entries: Entry[], limits = {}) {
  const tree = await unpackTarGzip(once(await archive(entries)), 'oci://test/app@sha256:x', limits);
  return { tree, fs: archiveFileSystem(tree, 'oci://test/app@sha256:x') };
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('unpackTarGzip and archiveFileSystem', () => {
  it('reads files, directories and inner symlinks; later entries replace earlier ones', async () => {
    const { fs, tree } = await unpack([
      { name: './', type: 'directory' },
      { name: './base/k.yaml', content: 'old' },
      { name: 'base/k.yaml', content: 'new' },
      { name: 'overlays/dev/kustomization.yaml', content: 'resources: [../../base]' },
      { name: 'overlays/dev/base', type: 'symlink', linkname: '../../base' },
      { name: 'copy.yaml', type: 'link', linkname: 'base/k.yaml' },
    ]);
    expect(text(await fs.readFile('/base/k.yaml'))).toBe('new');
    expect(text(await fs.readFile('overlays/dev/base/k.yaml'))).toBe('new');
    expect(text(await fs.readFile('copy.yaml'))).toBe('new');
    expect(await fs.readdir('/')).toEqual([
      { name: 'base', type: 'directory' },
      { name: 'copy.yaml', type: 'file' },
      { name: 'overlays', type: 'directory' },
    ]);
    expect(await fs.lstat('overlays/dev/base')).toEqual({ type: 'symlink', size: 10 });
    expect(await fs.stat('overlays/dev/base')).toEqual({ type: 'directory', size: 0 });
    expect(await fs.readlink('overlays/dev/base')).toBe('../../base');
    expect(tree.bytes).toBe(6 + 'resources: [../../base]'.length);
    expect(fs.origin).toBe('oci://test/app@sha256:x');
    await expect(fs.readFile('nope.yaml')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses a path that climbs out of the root, naming the artifact', async () => {
    const { fs } = await unpack([{ name: 'a/k.yaml', content: 'x' }]);
    await expect(fs.readFile('a/../../etc/passwd')).rejects.toMatchObject({
      code: 'PATH_ESCAPE',
      message: expect.stringContaining('oci://test/app@sha256:x'),
    });
    expect(text(await fs.readFile('a/../a/k.yaml'))).toBe('x');
  });

  it('refuses symlinks that leave the root, absolute or relative, at any depth', async () => {
    const { fs } = await unpack([
      { name: 'abs', type: 'symlink', linkname: '/etc' },
      { name: 'd/up', type: 'symlink', linkname: '../../outside' },
      { name: 'd/chain', type: 'symlink', linkname: 'up' },
    ]);
    await expect(fs.readFile('abs/passwd')).rejects.toMatchObject({ code: 'SYMLINK_ESCAPE' });
    await expect(fs.stat('d/up')).rejects.toMatchObject({ code: 'SYMLINK_ESCAPE' });
    await expect(fs.readdir('d/chain')).rejects.toMatchObject({ code: 'SYMLINK_ESCAPE' });
    expect(await fs.lstat('d/up')).toMatchObject({ type: 'symlink' });
  });

  it('refuses absolute entries and entries that climb out, before writing anything', async () => {
    await expect(unpack([{ name: '/etc/passwd', content: 'x' }])).rejects.toMatchObject({
      code: 'ABSOLUTE_PATH',
    });
    await expect(unpack([{ name: 'a/../../x', content: 'x' }])).rejects.toMatchObject({
      code: 'PATH_ESCAPE',
    });
    await expect(unpack([{ name: 'f', type: 'fifo' }])).rejects.toBeInstanceOf(OciFormatError);
    await expect(unpack([{ name: 'l', type: 'link', linkname: 'missing' }])).rejects.toMatchObject({
      ociCode: 'OCI_ARCHIVE',
    });
    await expect(
      unpack([
        { name: 'f', content: 'x' },
        { name: 'f/g', content: 'y' },
      ]),
    ).rejects.toMatchObject({
      ociCode: 'OCI_ARCHIVE',
    });
  });

  it('enforces the entry, byte and path-length limits', async () => {
    const many = Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, content: 'x' }));
    await expect(unpack(many, { maxEntries: 10 })).rejects.toBeInstanceOf(OciLimitError);
    await expect(
      unpack([{ name: 'big', content: 'x'.repeat(5000) }], { maxUnpackedBytes: 4096 }),
    ).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED',
    });
    await expect(
      unpack([{ name: `${'a'.repeat(300)}`, content: 'x' }], { maxPathLength: 200 }),
    ).rejects.toBeInstanceOf(OciLimitError);
    expect((await unpack(many, { maxEntries: 20 })).tree.entries).toBe(20);
  });

  it('refuses a stream that is not gzip, or gzip that is not tar', async () => {
    await expect(unpackTarGzip(once(Buffer.from('not gzip at all')), 'x')).rejects.toMatchObject({
      ociCode: 'OCI_ARCHIVE',
    });
    await expect(unpackTarGzip(once(gzipSync(Buffer.alloc(1024, 7))), 'x')).rejects.toMatchObject({
      ociCode: 'OCI_ARCHIVE',
    });
  });

  it("the source's own error wins over the archive's (a digest checked at the end)", async () => {
    async function* corrupted(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('garbage that is not gzip');
      yield Buffer.from('more');
      throw new Error('digest mismatch');
    }
    await expect(unpackTarGzip(corrupted(), 'x')).rejects.toThrow('digest mismatch');
  });
});
