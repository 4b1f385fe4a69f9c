import type { IncomingMessage, ServerResponse } from 'node:http';
import { type JsonValue, parseYaml } from '@gitops-kit/core';
import { ApiStatusError, badRequest } from '../api-error.js';
import { decodeKubernetesProtobuf } from '../protobuf.js';

/** Writes one JSON answer with its status code, content type and extra headers. */
export function send(
  res: ServerResponse,
  code: number,
  body: JsonValue,
  contentType = 'application/json',
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Writes an API error as its `Status` object. */
export function sendError(res: ServerResponse, err: ApiStatusError): void {
  send(res, err.code, err.toStatus(), 'application/json', err.headers);
}

/**
 * Reads a request body of at most `limit` bytes (413 beyond it; 400 when the client hangs up early).
 * Events rather than `for await`: the async iterator costs more than the rest of a small write's
 * handling, and most bodies arrive in one chunk, which is then used without a copy.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(
          new ApiStatusError(413, 'RequestEntityTooLarge', `the request body is larger than ${limit} bytes`),
        );
        return;
      }
      chunks.push(chunk);
    });
    let ended = false;
    req.once('end', () => {
      ended = true;
      if (!failed) resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    });
    req.once('error', (err) => {
      if (!failed) reject(err);
      failed = true;
    });
    // A client that hangs up mid-body: nothing more will come.
    req.once('close', () => {
      if (!ended && !failed)
        reject(badRequest('the request body ended early: the client closed the connection'));
      failed = true;
    });
  });
}

/** The first character of `text` that is not JSON/YAML white space, or '' when there is none. */
function firstNonSpace(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== 0xfeff) return text.charAt(i);
  }
  return '';
}

/** Decodes a request body: JSON, YAML, or protobuf for the few kinds kubectl's generators send. */
export function parseBody(raw: Buffer, contentType: string): JsonValue {
  if (contentType.includes('protobuf')) {
    const decoded = decodeKubernetesProtobuf(raw);
    if (decoded !== undefined) return decoded;
  }
  if (contentType.includes('protobuf') || contentType.includes('cbor')) {
    // JSON and YAML are spoken, and protobuf only for the few kinds kubectl's generators send.
    throw new ApiStatusError(
      415,
      'UnsupportedMediaType',
      'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml',
    );
  }
  const text = raw.toString('utf8');
  const first = firstNonSpace(text);
  if (first === '' && text.trim() === '') return null;
  try {
    // JSON is YAML: most clients send JSON even as apply-patch+yaml, and JSON.parse is far cheaper.
    // YAML goes through core's parser, whose limits keep an alias bomb from stalling the server.
    if (contentType.includes('yaml') && first !== '{') return parseYaml(text);
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    throw badRequest(`the request body could not be decoded: ${(err as Error).message}`);
  }
}
