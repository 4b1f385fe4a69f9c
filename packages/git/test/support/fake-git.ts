import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deflateSync } from 'node:zlib';

/**
 * A pack object: whole (`commit`, `tree`, `blob`), an offset delta on the object at index `base`,
 * or a reference delta on the object `baseOid` (in the pack or, for a thin pack, outside it).
 */
export type PackEntry =
  | { type: 'commit' | 'tree' | 'blob'; data: Buffer }
  | { type: 'ofs-delta'; base: number; delta: Buffer }
  | { type: 'ref-delta'; baseOid: string; delta: Buffer };

const TYPE_NUMBERS = { commit: 1, tree: 2, blob: 3, 'ofs-delta': 6, 'ref-delta': 7 } as const;

/** The object id git gives `data` of `type`. */
export function objectId(type: string, data: Buffer): string {
  return createHash('sha1').update(`${type} ${data.length}\0`).update(data).digest('hex');
}

function objectHeader(typeNum: number, size: number): Buffer {
  const bytes: number[] = [];
  let c = (typeNum << 4) | (size & 15);
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    bytes.push(c | 0x80);
    c = rest & 0x7f;
    rest = Math.floor(rest / 128);
  }
  bytes.push(c);
  return Buffer.from(bytes);
}

function offsetEncoding(rel: number): Buffer {
  const bytes = [rel & 0x7f];
  let n = rel >>> 7;
  while (n > 0) {
    n--;
    bytes.unshift(0x80 | (n & 0x7f));
    n >>>= 7;
  }
  return Buffer.from(bytes);
}

/**
 * A pack of `entries` (version 2 unless `version` says; an offset delta's `base` is the index of an
 * earlier entry); `declaredSize` overrides what an entry's header announces, `zlib` the compressed
 * bytes, for lies.
 */
export function buildPack(
  entries: Array<PackEntry & { declaredSize?: number; zlib?: Buffer }>,
  version = 2,
): Buffer {
  const head = Buffer.alloc(12);
  head.write('PACK', 0, 'latin1');
  head.writeUInt32BE(version, 4);
  head.writeUInt32BE(entries.length, 8);
  const parts: Buffer[] = [head];
  const offsets: number[] = [];
  let pos = 12;
  for (const entry of entries) {
    offsets.push(pos);
    const payload = entry.type === 'ofs-delta' || entry.type === 'ref-delta' ? entry.delta : entry.data;
    const size = entry.declaredSize ?? payload.length;
    const pieces = [objectHeader(TYPE_NUMBERS[entry.type], size)];
    if (entry.type === 'ofs-delta') pieces.push(offsetEncoding(pos - (offsets[entry.base] as number)));
    if (entry.type === 'ref-delta') pieces.push(Buffer.from(entry.baseOid, 'hex'));
    pieces.push(entry.zlib ?? deflateSync(payload));
    for (const p of pieces) {
      parts.push(p);
      pos += p.length;
    }
  }
  return signPack(Buffer.concat(parts));
}

/** `body` (a pack without its trailer) followed by its SHA-1, as a pack ends. */
export function signPack(body: Buffer): Buffer {
  return Buffer.concat([body, createHash('sha1').update(body).digest()]);
}

function varint(n: number): number[] {
  const out: number[] = [];
  let rest = n;
  do {
    let byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    out.push(byte);
  } while (rest > 0);
  return out;
}

/** A git delta that turns `base` into `result` by inserting every byte (no copies). */
export function insertDelta(base: Buffer, result: Buffer): Buffer {
  const bytes = [...varint(base.length), ...varint(result.length)];
  for (let at = 0; at < result.length; at += 127) {
    const piece = result.subarray(at, at + 127);
    bytes.push(piece.length, ...piece);
  }
  return Buffer.from(bytes);
}

/** A one-file commit: its blob, tree and commit objects, and the commit's id. */
export function oneFileCommit(content: Buffer, name = 'file.yaml'): { entries: PackEntry[]; commit: string } {
  const blobId = objectId('blob', content);
  const tree = Buffer.concat([Buffer.from(`100644 ${name}\0`, 'latin1'), Buffer.from(blobId, 'hex')]);
  const treeId = objectId('tree', tree);
  const commit = Buffer.from(
    `tree ${treeId}\nauthor a <a@example.com> 0 +0000\ncommitter a <a@example.com> 0 +0000\n\nc\n`,
  );
  return {
    entries: [
      { type: 'commit', data: commit },
      { type: 'tree', data: tree },
      { type: 'blob', data: content },
    ],
    commit: objectId('commit', commit),
  };
}

/** One pkt-line. */
export function pkt(data: string | Buffer): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, '0'), 'latin1'), body]);
}

export const FLUSH = Buffer.from('0000', 'latin1');

/** `data` as side-band lines of `band`, at most 65515 bytes each. */
export function sideBand(band: number, data: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  for (let at = 0; at < data.length; at += 65515)
    lines.push(pkt(Buffer.concat([Buffer.from([band]), data.subarray(at, at + 65515)])));
  return lines;
}

/** A v2 ls-refs answer advertising `commit` as HEAD → main, and `extra` more branches. */
export function lsRefsAnswer(commit: string, extra = 0): Buffer {
  const lines = [pkt(`${commit} HEAD symref-target:refs/heads/main\n`), pkt(`${commit} refs/heads/main\n`)];
  for (let i = 0; i < extra; i++) lines.push(pkt(`${commit} refs/heads/b${i}\n`));
  return Buffer.concat([...lines, FLUSH]);
}

/** A v2 fetch answer carrying `pack`, after `progress` bytes of band-2 messages. */
export function fetchAnswer(pack: Buffer, progress = 0): Buffer {
  return Buffer.concat([
    pkt('packfile\n'),
    ...sideBand(2, Buffer.alloc(progress, 0x2e)),
    ...sideBand(1, pack),
    FLUSH,
  ]);
}

/** What a fake server answers: bytes, or chunks written one by one (lazily, with backpressure). */
export type FakeAnswer = Buffer | Iterable<Buffer> | { status: number; type?: string; body: Buffer };

/** A git server speaking just enough of protocol v2 to hand out crafted answers. */
export interface FakeGitServer {
  url: string;
  /** Bytes written to answers so far. */
  sent: number;
  close(): Promise<void>;
}

/**
 * Starts a server whose `ls-refs` and `fetch` answers come from `answer` (by command; `info/refs`
 * GETs are `discover`). Iterables are written chunk by chunk as the socket drains, so an endless
 * one costs only what the client accepts.
 */
export async function startFakeGitServer(
  answer: (command: 'ls-refs' | 'fetch' | 'discover') => FakeAnswer,
): Promise<FakeGitServer> {
  const state = { sent: 0 };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('latin1');
      const command =
        req.method === 'GET' ? 'discover' : body.includes('command=fetch') ? 'fetch' : 'ls-refs';
      const out = answer(command);
      const type =
        command === 'discover'
          ? 'application/x-git-upload-pack-advertisement'
          : 'application/x-git-upload-pack-result';
      if (Buffer.isBuffer(out)) {
        res.writeHead(200, { 'content-type': type, 'content-length': out.length });
        state.sent += out.length;
        res.end(out);
        return;
      }
      if ('status' in out) {
        res.writeHead(out.status, { 'content-type': out.type ?? type });
        res.end(out.body);
        return;
      }
      res.writeHead(200, { 'content-type': type });
      const it = out[Symbol.iterator]();
      const pump = () => {
        for (;;) {
          if (res.destroyed) return;
          const next = it.next();
          if (next.done === true) {
            res.end();
            return;
          }
          state.sent += next.value.length;
          if (!res.write(next.value)) {
            res.once('drain', pump);
            return;
          }
        }
      };
      res.on('close', () => it.return?.());
      pump();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/repo.git`,
    get sent() {
      return state.sent;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
