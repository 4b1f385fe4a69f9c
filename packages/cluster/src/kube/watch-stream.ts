import http from 'node:http';
import type { JsonValue } from '@gitops-kit/core';
import type { WatchOptions } from '../cluster-client.js';
import { errorFromResponse, KubeApiError } from '../errors.js';
import { type KubeTransport, queryString } from './transport.js';

/** One line of a watch stream as the server sent it: `ERROR` and `BOOKMARK` included. */
export interface RawWatchEvent {
  type: string;
  object: JsonValue;
}

/**
 * One watch request from `rv`, read as it arrives (newline-delimited JSON) until the server ends it
 * (after 4 to 6 minutes), the connection fails or `options.signal` aborts. A status of 400 or more is
 * thrown as a `KubeApiError`; resuming and relisting are the caller's ({@link watchWithRelist}).
 */
export async function* watchStream(
  transport: KubeTransport,
  path: string,
  options: WatchOptions,
  rv: string,
): AsyncGenerator<RawWatchEvent> {
  const query = {
    watch: 'true',
    resourceVersion: rv,
    allowWatchBookmarks: 'true',
    labelSelector: options.labelSelector,
    fieldSelector: options.fieldSelector,
    timeoutSeconds: String(240 + Math.floor(Math.random() * 120)),
  };
  const reqOptions = await transport.requestOptions('GET', `${path}${queryString(query)}`, {
    Accept: 'application/json',
  });
  const lines: RawWatchEvent[] = [];
  let done = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const fail = (err: unknown): void => {
    failure = err;
    done = true;
    notify();
  };
  const req = transport.protocol.request(
    {
      ...reqOptions,
      agent: transport.server.protocol === 'https:' ? reqOptions.agent : new http.Agent({ keepAlive: false }),
    },
    (res) => {
      if ((res.statusCode ?? 0) >= 400) {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          fail(
            errorFromResponse(
              res.statusCode ?? 0,
              Buffer.concat(chunks).toString('utf8'),
              res.headers['retry-after'] as string | undefined,
              `WATCH ${path}`,
            ),
          );
        });
        return;
      }
      const reader = lineReader(lines, (err) => {
        failure = err;
      });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        reader(chunk);
        notify();
      });
      res.on('end', () => {
        done = true;
        notify();
      });
      res.on('error', fail);
    },
  );
  req.on('error', (err) => {
    fail(
      new KubeApiError({
        status: 0,
        reason: 'NetworkError',
        message: `watch connection failed: ${err.message}`,
        cause: err,
      }),
    );
  });
  const abort = (): void => {
    req.destroy();
    done = true;
    notify();
  };
  options.signal?.addEventListener('abort', abort, { once: true });
  req.end();
  try {
    for (;;) {
      while (lines.length > 0) yield lines.shift() as RawWatchEvent;
      if (failure) throw failure;
      if (done) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    options.signal?.removeEventListener('abort', abort);
    req.destroy();
  }
}

// Splits chunks into lines and parses each into `lines`; a line that is no JSON is reported to `bad`.
function lineReader(lines: RawWatchEvent[], bad: (err: KubeApiError) => void): (chunk: string) => void {
  let buffer = '';
  return (chunk) => {
    buffer += chunk;
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (line) {
        try {
          lines.push(JSON.parse(line) as RawWatchEvent);
        } catch {
          bad(
            new KubeApiError({
              status: 0,
              reason: 'BadResponse',
              message: 'the watch stream carried invalid JSON',
            }),
          );
        }
      }
      nl = buffer.indexOf('\n');
    }
  };
}
