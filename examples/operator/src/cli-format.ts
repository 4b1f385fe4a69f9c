import { ValidationError } from '@gitops-kit/core';

/**
 * The app CLI's plain text: durations it reads from flags, commits and tables it prints.
 */

/** A flag's duration (`30s`, `5m`, `250ms`, `1h`) in ms; `fallback` when absent. */
export function durationMs(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!m) throw new ValidationError(`"${text}" is not a duration such as 30s or 5m`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms'];
}

/** The commit of a revision, shortened to 7 characters (`main@sha1:…` → `abc1234`); an OCI digest to 12 (`v1@sha256:0123456789ab`); other revisions as they are. */
export function shortCommit(revision: string | undefined): string {
  const oci = /^((?:.+@)?sha256:)([0-9a-f]{64})$/.exec(revision ?? '');
  if (oci?.[1] && oci[2]) return `${oci[1]}${oci[2].slice(0, 12)}`;
  const m = /([0-9a-f]{40})$/.exec(revision ?? '');
  return m?.[1] ? m[1].slice(0, 7) : (revision ?? '');
}

/** Rows as a plain-text table: each column padded to its widest cell and two spaces, as kubectl prints. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, c] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, c.length);
  }
  return `${rows
    .map((row) =>
      row
        .map((c, i) => (i === row.length - 1 ? c : c.padEnd((widths[i] ?? 0) + 2)))
        .join('')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
