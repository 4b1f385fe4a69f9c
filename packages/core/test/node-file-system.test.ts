import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotARegularFileError, nodeFileSystem, readTextFile } from '../src/index.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'node-fs-'));
  execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
  writeFileSync(join(dir, 'plain.yaml'), 'a: 1\n');
  mkdirSync(join(dir, 'sub'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Rejects when `promise` has not settled after `ms`: a hang fails the test instead of the run. */
function guard<T>(promise: Promise<T>, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('hang')), ms);
  });
  return Promise.race([promise, hang]).finally(() => clearTimeout(timer));
}

describe('nodeFileSystem reads only regular files', () => {
  it('refuses a FIFO with no writer instead of blocking on it', async () => {
    const fs = nodeFileSystem();
    const err = await guard(fs.readFile(join(dir, 'fifo.yaml'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotARegularFileError);
    expect(err).toMatchObject({ code: 'VALIDATION_ERROR', file: join(dir, 'fifo.yaml') });
    expect((err as Error).message).toContain('a FIFO');
  });

  it('refuses a FIFO in readTextFile by its stat, before opening it', async () => {
    const err = await guard(readTextFile(nodeFileSystem(), join(dir, 'fifo.yaml'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotARegularFileError);
  });

  it('refuses a character device such as /dev/zero, which never ends', async () => {
    const err = await guard(nodeFileSystem().readFile('/dev/zero')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotARegularFileError);
    expect((err as Error).message).toContain('a device');
  });

  it('still reads regular files, and says a directory is one', async () => {
    const fs = nodeFileSystem();
    expect(new TextDecoder().decode(await fs.readFile(join(dir, 'plain.yaml')))).toBe('a: 1\n');
    await expect(fs.readFile(join(dir, 'sub'))).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    await expect(fs.readFile(join(dir, 'missing.yaml'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
