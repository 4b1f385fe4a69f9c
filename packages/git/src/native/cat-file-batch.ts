import type { ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { GitOpsError } from '@gitops-kit/core';
import { GitLimitError, GitProtocolError } from '../errors.js';
import type { GitObject, GitObjectType } from '../git-objects.js';
import { OBJECT_ID } from './object-id.js';
import { NativeGitUnavailableError } from './unavailable-error.js';

interface BatchRequest {
  oid: string;
  resolve: (obj: GitObject | undefined) => void;
  reject: (err: Error) => void;
}

/**
 * One `git cat-file --batch` process answering object reads in order: `<oid>\n` in, then
 * `<oid> <type> <size>\n<content>\n` or `<oid> missing\n` out. Started on the first read, started
 * again if it dies, and not holding the event loop open while idle.
 */
export class CatFileBatch {
  private child: ChildProcess | undefined;
  private readonly queue: BatchRequest[] = [];
  private header: Buffer[] = [];
  private body: { obj: GitObject; filled: number } | undefined;
  /** The newline after a body is still to come. */
  private trailer = false;
  private stderr = '';
  private closed = false;

  constructor(
    private readonly start: () => ChildProcess,
    private readonly maxObjectBytes: number,
    private readonly url: string,
  ) {}

  /** The object, or undefined when git has no such object. */
  read(oid: string): Promise<GitObject | undefined> {
    if (this.closed) return Promise.reject(new GitOpsError('INVALID', 'the native git backend is closed'));
    if (!OBJECT_ID.test(oid)) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const child = this.ensure();
      this.queue.push({ oid, resolve, reject });
      this.setRef(true);
      (child.stdin as Writable).write(`${oid}\n`);
    });
  }

  /** Ends the process; reads waiting and later reads fail. */
  close(): void {
    this.closed = true;
    this.fail(new GitOpsError('INVALID', 'the native git backend was closed while reading'));
    this.child?.kill('SIGKILL');
    this.child = undefined;
  }

  private ensure(): ChildProcess {
    if (this.child !== undefined) return this.child;
    const child = this.start();
    this.child = child;
    this.header = [];
    this.body = undefined;
    this.trailer = false;
    this.stderr = '';
    child.stdin?.on('error', () => {});
    child.stdout?.on('data', (chunk: Buffer) => {
      if (this.child === child) this.onData(chunk);
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      this.stderr = (this.stderr + text).slice(-4096);
    });
    const onEnd = (err?: Error) => {
      if (this.child !== child) return;
      this.child = undefined;
      const code = (err as { code?: unknown } | undefined)?.code;
      this.fail(
        code === 'ENOENT'
          ? new NativeGitUnavailableError('git', `git cat-file could not be started (${String(code)})`, {
              cause: err,
            })
          : new GitProtocolError(
              `git cat-file --batch ended: ${this.stderr.trim() || err?.message || 'no message'}`,
            ),
      );
    };
    child.on('error', onEnd);
    child.on('close', () => onEnd());
    return child;
  }

  private fail(err: Error): void {
    for (const req of this.queue.splice(0)) req.reject(err);
    this.setRef(false);
  }

  private setRef(on: boolean): void {
    const child = this.child;
    if (child === undefined) return;
    for (const stream of [child.stdin, child.stdout, child.stderr] as Array<Readable | Writable | null>) {
      const handle = stream as unknown as { ref?: () => void; unref?: () => void } | null;
      if (on) handle?.ref?.();
      else handle?.unref?.();
    }
    if (on) child.ref();
    else child.unref();
  }

  private onData(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      if (this.trailer) {
        off++; // the newline after the content
        this.trailer = false;
        const req = this.queue.shift();
        const body = this.body;
        this.body = undefined;
        if (req === undefined || body === undefined) continue;
        const { type } = body.obj;
        if (type === 'commit' || type === 'tree' || type === 'blob' || type === 'tag') req.resolve(body.obj);
        else req.reject(new GitProtocolError(`object ${req.oid} has an unknown type ${String(type)}`));
        if (this.queue.length === 0) this.setRef(false);
        continue;
      }
      if (this.body !== undefined) {
        const { obj } = this.body;
        const take = Math.min(obj.data.length - this.body.filled, chunk.length - off);
        chunk.copy(obj.data, this.body.filled, off, off + take);
        this.body.filled += take;
        off += take;
        if (this.body.filled === obj.data.length) this.trailer = true;
        continue;
      }
      const nl = chunk.indexOf(10, off);
      if (nl < 0) {
        this.header.push(chunk.subarray(off));
        return;
      }
      this.header.push(chunk.subarray(off, nl));
      off = nl + 1;
      const line = Buffer.concat(this.header).toString('latin1');
      this.header = [];
      const [, type, size] = line.split(' ');
      if (type === 'missing' || type === 'ambiguous' || size === undefined) {
        this.queue.shift()?.resolve(undefined);
        if (this.queue.length === 0) this.setRef(false);
        continue;
      }
      const bytes = Number(size);
      if (!Number.isSafeInteger(bytes) || bytes < 0) {
        // Nothing to read after it: the stream cannot be followed any more.
        this.child?.kill('SIGKILL');
        this.fail(new GitProtocolError(`git cat-file answered "${line.slice(0, 100)}"`));
        return;
      }
      if (bytes > this.maxObjectBytes) {
        // Not allocated: the body is not read, so the process is ended (the next read starts another).
        const max = this.maxObjectBytes;
        this.child?.kill('SIGKILL');
        this.child = undefined;
        this.fail(
          new GitLimitError(
            'maxObjectBytes',
            max,
            `${this.url}: object ${line.split(' ')[0]} is ${bytes} bytes, over the limit of ${max} bytes (limits.maxObjectBytes)`,
            { details: { size: bytes } },
          ),
        );
        return;
      }
      this.body = { obj: { type: type as GitObjectType, data: Buffer.allocUnsafe(bytes) }, filled: 0 };
      if (this.body.obj.data.length === 0) this.trailer = true;
    }
  }
}
