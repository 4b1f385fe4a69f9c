import { posix } from 'node:path';
import {
  NotFoundError,
  ParseError,
  type ReadonlyFileSystem,
  RootConfinedResolver,
  SecurityError,
  ValidationError,
} from '@gitops-kit/core';
import type { InputBudget } from './input-budget.js';

/** The options {@link TargetFiles} reads by. */
export interface TargetFilesOptions {
  loadRestrictor: 'RootOnly' | 'None';
  maxFileBytes: number;
  inputBudget?: InputBudget | undefined;
  displayRoot: string;
}

/**
 * The files of one render, read as kustomize's file loader reads them: under `RootOnly`, nothing
 * outside the kustomization's directory; every file within `maxFileBytes` and the input budget.
 */
export class TargetFiles {
  constructor(
    readonly fs: ReadonlyFileSystem,
    private readonly options: TargetFilesOptions,
  ) {}

  /** A path as errors and sources show it: relative to the display root (`.` for the root). */
  display(path: string): string {
    const rel = posix.relative(this.options.displayRoot, path);
    return rel === '' ? '.' : rel;
  }

  /** Reads a text file of `dir` (a path relative to it, or absolute). */
  async readFileInRoot(dir: string, path: string): Promise<{ abs: string; text: string }> {
    const abs = posix.isAbsolute(path) ? posix.normalize(path) : posix.join(dir, path);
    const bytes = await this.readBytesInRoot(dir, path);
    return { abs, text: new TextDecoder('utf-8').decode(bytes) };
  }

  /** Reads a file of `dir` as bytes, confined to `dir` under `RootOnly`. */
  async readBytesInRoot(dir: string, path: string): Promise<Uint8Array> {
    const abs = posix.isAbsolute(path) ? posix.normalize(path) : posix.join(dir, path);
    if (this.options.loadRestrictor === 'RootOnly') {
      const resolver = new RootConfinedResolver(this.fs, dir);
      try {
        await resolver.resolve(posix.relative(dir, abs) || '.');
      } catch (err) {
        if (err instanceof SecurityError) {
          throw new SecurityError(`security; file '${abs}' is not in or below '${dir}'`, {
            file: this.display(abs),
            code: err.code as 'PATH_ESCAPE',
            cause: err,
          });
        }
        throw err;
      }
    }
    let info: { size: number; type: string };
    try {
      info = await this.fs.stat(abs);
    } catch (err) {
      if (err instanceof NotFoundError) {
        throw new NotFoundError(`'${abs}': no such file or directory`, {
          file: this.display(abs),
          cause: err,
        });
      }
      throw err;
    }
    if (info.size > this.options.maxFileBytes) {
      throw new ParseError(
        `file is ${info.size} bytes, over the limit of ${this.options.maxFileBytes} bytes`,
        {
          file: this.display(abs),
          code: 'LIMIT_EXCEEDED',
        },
      );
    }
    this.options.inputBudget?.take(info.size, this.display(abs));
    return this.fs.readFile(abs);
  }

  /** Refuses `abs` unless it is a directory (`what`: `components`, … for the message). */
  async requireDirectory(abs: string, entry: string, kfile: string, what: string): Promise<void> {
    try {
      const st = await this.fs.stat(abs);
      if (st.type !== 'directory')
        throw new ValidationError(`accumulating ${what}: '${entry}' is not a directory`, { file: kfile });
    } catch (err) {
      if (err instanceof NotFoundError) {
        throw new NotFoundError(`accumulating ${what}: '${abs}' does not exist`, { file: kfile, cause: err });
      }
      throw err;
    }
  }
}
