import { UsageError } from './cli-env.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Milliseconds of a duration as kubectl's `--timeout` takes it (Go's syntax: `90s`, `5m`, `1h30m`,
 * `500ms`), or a bare number of seconds. Anything else is a usage error.
 */
export function parseDuration(text: string, flag = '--timeout'): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text)
    throw new UsageError(`invalid ${flag} "${text}": a duration such as 30s, 5m or 1h30m`);
  return parts.reduce((ms, p) => ms + Number(p[1]) * (UNIT_MS[p[2] as string] as number), 0);
}
