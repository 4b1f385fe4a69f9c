import { isGitOpsError } from '@gitops-kit/core';
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

/** What replaces a redacted value in logs. */
export const REDACTED = '[REDACTED]';

// Fields that carry credentials wherever they appear in a log record (headers, kubeconfigs, Git
// credentials, webhook settings). Matched case-insensitively on the key.
const SECRET_KEYS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-gitlab-token',
  'x-hub-signature',
  'x-hub-signature-256',
  'x-gitea-signature',
  'password',
  'passwd',
  'token',
  'bearertoken',
  'secret',
  'secrets',
  'webhooksecret',
  'client-key-data',
  'client-certificate-data',
  'privatekey',
  'private_key',
  'sshprivatekey',
  'apikey',
]);

const MAX_DEPTH = 12;

function isSecretObject(value: Record<string, unknown>): boolean {
  return value.kind === 'Secret' && (value.apiVersion === 'v1' || value.apiVersion === undefined);
}

/**
 * A copy of `value` safe to log: values of credential-like keys replaced, every Kubernetes Secret's
 * `data` and `stringData` values replaced (keys kept, so a reader sees which entries differ), the
 * `last-applied-configuration` annotation of a Secret dropped, `GitOpsError`s reduced to their JSON.
 */
export function redactForLog(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) return '[Truncated]';
  if (isGitOpsError(value)) return redactForLog(value.toJSON(), depth + 1);
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (Array.isArray(value)) return value.map((v) => redactForLog(v, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  const src = value as Record<string, unknown>;
  const secret = isSecretObject(src);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(src)) {
    if (SECRET_KEYS.has(key.toLowerCase())) out[key] = REDACTED;
    else if (secret && (key === 'data' || key === 'stringData') && v !== null && typeof v === 'object') {
      out[key] = Object.fromEntries(Object.keys(v).map((k) => [k, REDACTED]));
    } else if (secret && key === 'metadata' && v !== null && typeof v === 'object') {
      const meta = { ...(v as Record<string, unknown>) };
      if (meta.annotations && typeof meta.annotations === 'object') {
        const annotations = { ...(meta.annotations as Record<string, unknown>) };
        delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
        meta.annotations = annotations;
      }
      out[key] = redactForLog(meta, depth + 1);
    } else out[key] = redactForLog(v, depth + 1);
  }
  return out;
}

/** Options of {@link createLogger}. */
export interface OperatorLoggerOptions {
  /** Minimum level. Default `info`. */
  level?: LoggerOptions['level'] | undefined;
  /** Where lines go. Default stdout. */
  destination?: DestinationStream | undefined;
  /** Fields on every line (the replica identity, say). */
  base?: Record<string, unknown> | undefined;
}

/**
 * The operator's logger: pino JSON lines with RFC 3339 times and string levels, and every record
 * passed through {@link redactForLog}, so Secret values and credentials never reach a log.
 */
export function createLogger(options: OperatorLoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: options.base ?? {},
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: 'msg',
      formatters: {
        level: (label) => ({ level: label }),
        log: (record) => redactForLog(record) as Record<string, unknown>,
      },
      serializers: {
        err: (err: unknown) => redactForLog(err),
      },
    },
    // Synchronous: a line logged just before exiting (a shutdown, a lost Lease) is not lost.
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

export type { Logger } from 'pino';
