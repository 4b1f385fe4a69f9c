import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a {@link Front} received. */
export interface FrontRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** An HTTP front: records each request, then `answer`s it itself or forwards it to `target`. */
export interface Front {
  url: string;
  seen: FrontRequest[];
  target: string;
  answer?: ((req: IncomingMessage, res: ServerResponse, body: Buffer) => boolean) | undefined;
  close(): Promise<void>;
}

/** Starts a {@link Front} on 127.0.0.1 forwarding to `target` (e.g. a native git server's URL). */
export async function startFront(target: string): Promise<Front> {
  const front: Front = { url: '', seen: [], target, close: async () => {} };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      front.seen.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: body.toString('latin1'),
      });
      if (front.answer?.(req, res, body) === true) return;
      const to = new URL(front.target);
      const headers = { ...req.headers, host: to.host };
      const out = request(
        { host: to.hostname, port: to.port, method: req.method, path: req.url, headers },
        (up) => {
          res.writeHead(up.statusCode ?? 500, up.headers);
          up.pipe(res);
        },
      );
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  front.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  front.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return front;
}
