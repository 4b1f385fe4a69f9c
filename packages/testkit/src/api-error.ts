import type { JsonObject } from '@gitops-kit/core';
import type { FieldCause } from './validation.js';

/** An error the emulated API server answers with a `Status` body. */
export class ApiStatusError extends Error {
  /** HTTP status code. */
  readonly code: number;
  /** The `reason` of the Status (`NotFound`, `Conflict`, `Invalid`, …). */
  readonly reason: string;
  /** The `details` of the Status. */
  readonly details: JsonObject | undefined;
  /** Extra response headers (Retry-After). */
  readonly headers: Record<string, string>;

  constructor(
    code: number,
    reason: string,
    message: string,
    details?: JsonObject,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
    this.headers = headers;
  }

  /** The `Status` object of this error. */
  toStatus(): JsonObject {
    const status: JsonObject = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    // A plain Go error reaches the client as a Status without a reason (kubectl: "Error from server: …").
    if (this.reason === '') delete status.reason;
    if (this.details) status.details = this.details;
    return status;
  }
}

/** What identifies the object an error is about, for `details`. */
export interface ErrorSubject {
  group: string;
  kind: string;
  plural: string;
  name: string;
}

function qualified(s: ErrorSubject): string {
  return s.group ? `${s.plural}.${s.group}` : s.plural;
}

/** 404 NotFound, worded as kube-apiserver words it. */
export function notFound(s: ErrorSubject): ApiStatusError {
  return new ApiStatusError(404, 'NotFound', `${qualified(s)} "${s.name}" not found`, {
    name: s.name,
    group: s.group,
    kind: s.plural,
  });
}

/** 409 AlreadyExists. */
export function alreadyExists(s: ErrorSubject): ApiStatusError {
  return new ApiStatusError(409, 'AlreadyExists', `${qualified(s)} "${s.name}" already exists`, {
    name: s.name,
    group: s.group,
    kind: s.plural,
  });
}

/** 409 Conflict of optimistic concurrency. */
export function conflict(s: ErrorSubject, why: string): ApiStatusError {
  return new ApiStatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(s)} "${s.name}": ${why}`,
    {
      name: s.name,
      group: s.group,
      kind: s.plural,
    },
  );
}

/** 422 Invalid with field causes. */
export function invalid(s: ErrorSubject, causes: FieldCause[]): ApiStatusError {
  const what = s.group ? `${s.kind}.${s.group}` : s.kind;
  const list = causes.map((c) => `${c.field}: ${c.message}`);
  const message =
    list.length === 1
      ? `${what} "${s.name}" is invalid: ${list[0]}`
      : `${what} "${s.name}" is invalid: [${list.join(', ')}]`;
  return new ApiStatusError(422, 'Invalid', message, {
    name: s.name,
    group: s.group,
    kind: s.kind,
    causes: causes.map((c) => ({ reason: c.reason, message: c.message, field: c.field })),
  });
}

/** 400 BadRequest. */
export function badRequest(message: string): ApiStatusError {
  return new ApiStatusError(400, 'BadRequest', message);
}
