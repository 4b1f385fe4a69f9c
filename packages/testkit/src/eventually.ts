import { inspect } from 'node:util';
import { abortableSleep, TimeoutError } from '@gitops-kit/core';

/** What a check answers while the condition does not hold yet: any falsy value. */
export type NotYet = undefined | null | false | 0 | '';

/** Options of {@link eventually}. */
export interface EventuallyOptions {
  /** How long to keep trying before giving up. Default 15 000 ms. */
  timeoutMs?: number;
  /** The pause between two attempts. Default 20 ms. */
  intervalMs?: number;
}

/**
 * The condition polled by {@link eventually}: a truthy answer ends the wait, a falsy one or a throw
 * means "not yet". `saw` records what the check observed (a status, a list), so that when it gives up
 * the error tells where things were stuck even though the check only answered `false`.
 */
export type EventuallyCheck<T> = (saw: (observed: unknown) => void) => T | NotYet | Promise<T | NotYet>;

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_INTERVAL_MS = 20;
// Enough to show a status or a short list; a whole object tree would bury the failure.
const MAX_SHOWN_CHARS = 2_000;
const TIMED_OUT: unique symbol = Symbol('timed out');

/**
 * Polls `check` until it answers a truthy value, and resolves with that value. A falsy answer or a
 * thrown error means "not yet" (as a missing object does until a controller creates it, or a failed
 * `expect` until the state it asserts arrives), so a boolean check works as is and a value-returning
 * one hands its result over. After `timeoutMs` it rejects with
 * a core `TimeoutError` (code `TIMEOUT`): "gave up waiting for <what> after N ms", followed by the last
 * thing seen (what the check passed to `saw`, else its last error, else its last answer when that says
 * more than `false`), so a failing test says where it was stuck. A check still running at the deadline
 * is not awaited further.
 */
export async function eventually<T>(
  check: EventuallyCheck<T>,
  what: string,
  options: EventuallyOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  const deadline = Date.now() + timeoutMs;
  let attempts = 0;
  // An object, not a variable: the check sets it through `saw`, out of the compiler's sight.
  const observed: { value?: unknown; set: boolean } = { set: false };
  let lastAnswer: unknown;
  let lastError: unknown;
  let hung = false;
  const saw = (value: unknown): void => {
    observed.value = value;
    observed.set = true;
  };

  for (;;) {
    attempts++;
    observed.set = false;
    observed.value = undefined;
    try {
      const answer = await beforeDeadline(check(saw), deadline);
      if (answer === TIMED_OUT) {
        hung = true;
        break;
      }
      if (answer) return answer as T;
      lastAnswer = answer;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    await abortableSleep(Math.min(intervalMs, left));
  }

  let message = `gave up waiting for ${what} after ${timeoutMs} ms (${attempts} attempt${attempts === 1 ? '' : 's'})`;
  if (hung) message += '; the last check had not answered';
  if (observed.set) message += `; last seen: ${show(observed.value)}`;
  if (lastError !== undefined) message += `; last error: ${errorMessage(lastError)}`;
  else if (!hung && !observed.set && typeof lastAnswer !== 'boolean' && lastAnswer !== undefined)
    message += `; last answer: ${show(lastAnswer)}`;
  throw new TimeoutError(message, {
    ...(lastError !== undefined ? { cause: lastError } : {}),
    details: { what, timeoutMs, attempts },
  });
}

/** The check's answer, or TIMED_OUT when the deadline passes first. */
async function beforeDeadline<V>(
  answer: V | PromiseLike<V>,
  deadline: number,
): Promise<V | typeof TIMED_OUT> {
  if (!isThenable(answer)) return answer;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, deadline - Date.now()));
  });
  const pending = Promise.resolve(answer);
  // A check that rejects after losing the race must not surface as an unhandled rejection.
  pending.catch(() => {});
  try {
    return await Promise.race([pending, late]);
  } finally {
    clearTimeout(timer);
  }
}

function isThenable<V>(value: V | PromiseLike<V>): value is PromiseLike<V> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : show(err);
}

function show(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else {
    try {
      text = JSON.stringify(value) ?? inspect(value);
    } catch {
      // Cycles and bigints: JSON cannot say them, inspect can.
      text = inspect(value, { depth: 4, breakLength: Number.POSITIVE_INFINITY });
    }
  }
  return text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}… (${text.length} chars)` : text;
}
