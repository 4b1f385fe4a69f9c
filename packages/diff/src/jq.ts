import { createRequire } from 'node:module';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { type JsonValue, TimeoutError, ValidationError } from '@gitops-kit/core';

/** The default time limit of one jq evaluation, in milliseconds. */
export const DEFAULT_JQ_TIMEOUT_MS = 1000;
const STARTUP_TIMEOUT_MS = 20_000;

// The worker runs the real jq (compiled to WebAssembly) and reports through a shared flag, so the
// diff stays synchronous while a looping expression can still be stopped: on timeout the worker is
// terminated and a new one starts on the next call.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const jq = require(workerData.jqPath);
const flag = new Int32Array(workerData.flag);
const port = workerData.port;
function done(message) {
  port.postMessage(message);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}
parentPort.on('message', async (request) => {
  try {
    const out = await jq.raw(request.input, request.filter, ['-c']);
    done({ ok: true, out });
  } catch (err) {
    done({ ok: false, error: String(err && err.message ? err.message : err) });
  }
});
jq.raw({}, '.', ['-c']).then(() => done({ ok: true, ready: true }), (err) => done({ ok: false, error: String(err) }));
`;

interface Runner {
  worker: Worker;
  flag: Int32Array;
  port: MessagePort;
}

let runner: Runner | undefined;

function startRunner(): Runner {
  // The CommonJS build has no import.meta; the ES module build has no __filename.
  const require = createRequire(typeof __filename === 'string' ? __filename : import.meta.url);
  const jqPath = require.resolve('jq-wasm');
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { jqPath, flag: flag.buffer, port: port2 },
    transferList: [port2],
  });
  worker.unref();
  port1.unref();
  const started = { worker, flag, port: port1 };
  const reply = waitForReply(started, STARTUP_TIMEOUT_MS);
  if (reply === undefined || !reply.ok) {
    void worker.terminate();
    throw new ValidationError('the jq engine could not start', { code: 'UNSUPPORTED' });
  }
  return started;
}

interface Reply {
  ok: boolean;
  out?: string;
  error?: string;
}

function waitForReply(r: Runner, timeoutMs: number): Reply | undefined {
  const outcome = Atomics.wait(r.flag, 0, 0, timeoutMs);
  if (outcome === 'timed-out') return undefined;
  Atomics.store(r.flag, 0, 0);
  const message = receiveMessageOnPort(r.port);
  return message?.message as Reply | undefined;
}

/** Options of {@link runJq}. */
export interface JqOptions {
  /** Time limit in milliseconds (default {@link DEFAULT_JQ_TIMEOUT_MS}). */
  timeoutMs?: number;
  /** Where the expression came from, for error messages (for example `ignoreDifferences[0]`). */
  path?: string;
  /** Leave jq's own error text out of errors (it can quote input values, such as Secret data). */
  redact?: boolean;
}

/**
 * Runs a jq program over `input` with the real jq engine and returns its outputs. Synchronous; an
 * expression that runs past the time limit is stopped and reported as a `TimeoutError`, a
 * syntax or runtime error as a `ValidationError`.
 */
export function runJq(input: JsonValue, filter: string, options: JqOptions = {}): JsonValue[] {
  const timeoutMs = options.timeoutMs ?? DEFAULT_JQ_TIMEOUT_MS;
  runner ??= startRunner();
  const current = runner;
  Atomics.store(current.flag, 0, 0);
  current.worker.postMessage({ input, filter });
  const reply = waitForReply(current, timeoutMs);
  if (reply === undefined) {
    void current.worker.terminate();
    current.port.close();
    runner = undefined;
    throw new TimeoutError(`jq expression did not finish within ${timeoutMs} ms: ${filter}`, {
      path: options.path,
    });
  }
  if (!reply.ok) {
    const detail = options.redact
      ? 'jq failed on this object'
      : (reply.error ?? 'unknown error').replace(/\s+/g, ' ').trim();
    throw new ValidationError(`jq expression ${JSON.stringify(filter)} failed: ${detail}`, {
      path: options.path,
    });
  }
  const text = reply.out ?? '';
  const outputs: JsonValue[] = [];
  for (const line of text.split('\n')) if (line.trim() !== '') outputs.push(JSON.parse(line) as JsonValue);
  return outputs;
}

/** Stops the jq worker, if one runs (it never keeps the process alive; this frees it early). */
export function stopJq(): void {
  if (runner !== undefined) {
    void runner.worker.terminate();
    runner.port.close();
    runner = undefined;
  }
}
