import {
  GitOpsError,
  type GitOpsErrorCode,
  isJsonObject,
  type JsonObject,
  NotFoundError,
} from '@gitops-kit/core';

/** One cause of a `Status` (a field error, an apply conflict). */
export interface StatusCause {
  /** `FieldValueInvalid`, `FieldManagerConflict`, … */
  reason?: string | undefined;
  /** What is wrong. */
  message?: string | undefined;
  /** The field, `.spec.replicas` or `spec.replicas`. */
  field?: string | undefined;
}

/** Options of {@link KubeApiError}. */
export interface KubeApiErrorInit {
  /** HTTP status code (0 for a network failure). */
  status: number;
  /** The Status reason. */
  reason: string;
  /** The message. */
  message: string;
  /** The Status causes. */
  causes?: StatusCause[] | undefined;
  /** Seconds the server asked to wait. */
  retryAfterSeconds?: number | undefined;
  /** The verb and URL path of the request. */
  request?: string | undefined;
  /** The underlying error. */
  cause?: unknown;
}

function codeOf(status: number, reason: string): GitOpsErrorCode {
  if (status === 0) return 'NETWORK_ERROR';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return reason === 'AlreadyExists' ? 'ALREADY_EXISTS' : 'CONFLICT';
  if (status === 410) return 'CONFLICT';
  if (status === 422) return 'INVALID';
  if (status === 400) return 'VALIDATION_ERROR';
  if (status === 415) return 'UNSUPPORTED';
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 429) return 'TOO_MANY_REQUESTS';
  if (status === 504 || reason === 'Timeout') return 'TIMEOUT';
  return 'SERVER_ERROR';
}

/**
 * An error answered by the API server (from its `Status` body) or a failure to reach it. `code` is
 * the stable gitops-kit code (`NOT_FOUND`, `ALREADY_EXISTS`, `CONFLICT`, `INVALID`, `FORBIDDEN`,
 * `UNAUTHORIZED`, `TOO_MANY_REQUESTS`, `TIMEOUT`, `SERVER_ERROR`, `NETWORK_ERROR`); `status`,
 * `reason` and `causes` are the server's. For an Invalid error `path` is the first field at fault.
 */
export class KubeApiError extends GitOpsError {
  /** HTTP status (0 when the server was not reached). */
  readonly status: number;
  /** The Status reason (`NotFound`, `Conflict`, `Invalid`, `Expired`, …). */
  readonly kubeReason: string;
  /** The Status causes: field errors, or server-side apply conflicts. */
  readonly causes: StatusCause[];
  /** Seconds the server asked to wait before retrying. */
  readonly retryAfterSeconds: number | undefined;

  constructor(init: KubeApiErrorInit) {
    const causes = init.causes ?? [];
    const field = causes.find((c) => c.field)?.field;
    super(
      codeOf(init.status, init.reason),
      init.request ? `${init.request}: ${init.message}` : init.message,
      {
        path: init.status === 422 || init.status === 409 ? field : undefined,
        cause: init.cause,
        details: { status: init.status, reason: init.reason, causes },
      },
    );
    this.status = init.status;
    this.kubeReason = init.reason;
    this.causes = causes;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }

  /** The conflicting fields of a server-side apply conflict. */
  get conflicts(): StatusCause[] {
    return this.causes.filter((c) => c.reason === 'FieldManagerConflict');
  }
}

/** The kind asked for is not served by the cluster (no CRD installed, wrong apiVersion). */
export class NoKindMatchError extends NotFoundError {
  /** The apiVersion asked for. */
  readonly apiVersion: string;
  /** The kind asked for. */
  readonly kind: string;

  constructor(apiVersion: string, kind: string) {
    super(`no matches for kind "${kind}" in version "${apiVersion}": the server does not serve it`, {
      details: { apiVersion, kind },
    });
    this.apiVersion = apiVersion;
    this.kind = kind;
  }
}

/** Builds a {@link KubeApiError} from a response. */
export function errorFromResponse(
  status: number,
  bodyText: string,
  retryAfter: string | undefined,
  request: string,
): KubeApiError {
  let reason = '';
  let message = bodyText.trim().slice(0, 500) || `HTTP ${status}`;
  let causes: StatusCause[] = [];
  let retryAfterSeconds: number | undefined;
  try {
    const body = JSON.parse(bodyText) as unknown;
    if (isJsonObject(body) && body.kind === 'Status') {
      reason = typeof body.reason === 'string' ? body.reason : '';
      if (typeof body.message === 'string') message = body.message;
      const details = isJsonObject(body.details) ? (body.details as JsonObject) : {};
      if (Array.isArray(details.causes)) {
        causes = details.causes.filter(isJsonObject).map((c) => ({
          reason: typeof c.reason === 'string' ? c.reason : undefined,
          message: typeof c.message === 'string' ? c.message : undefined,
          field: typeof c.field === 'string' ? c.field : undefined,
        }));
      }
      if (typeof details.retryAfterSeconds === 'number') retryAfterSeconds = details.retryAfterSeconds;
    }
  } catch {
    // Not a Status: keep the text.
  }
  if (retryAfter !== undefined) {
    const n = Number(retryAfter);
    if (Number.isFinite(n)) retryAfterSeconds = n;
  }
  if (!reason) {
    reason =
      {
        400: 'BadRequest',
        401: 'Unauthorized',
        403: 'Forbidden',
        404: 'NotFound',
        409: 'Conflict',
        410: 'Expired',
        415: 'UnsupportedMediaType',
        422: 'Invalid',
        429: 'TooManyRequests',
        500: 'InternalError',
        503: 'ServiceUnavailable',
        504: 'Timeout',
      }[status] ?? 'Unknown';
  }
  return new KubeApiError({ status, reason, message, causes, retryAfterSeconds, request });
}

/** True when `err` is a NotFound answer (the object, not the kind, is missing). */
export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 404;
}

/** True for a 409 AlreadyExists. */
export function isAlreadyExists(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 409 && err.kubeReason === 'AlreadyExists';
}

/** True for a 409 Conflict (optimistic concurrency or server-side apply). */
export function isConflict(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 409 && err.kubeReason !== 'AlreadyExists';
}

/**
 * True for a server-side apply the API server refused because the object does not fit the
 * schema. kube-apiserver answers it with a 500 ("failed to create typed patch object … expected
 * string"), yet the same request fails the same way every time: retrying it only delays the error.
 */
export function isSchemaRejection(err: unknown): boolean {
  return (
    err instanceof KubeApiError &&
    err.status === 500 &&
    /failed to create typed (patch|live) object/.test(err.message)
  );
}
