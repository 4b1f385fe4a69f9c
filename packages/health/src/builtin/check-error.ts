/**
 * A built-in check that cannot assess its object, e.g. an API version it does not support. The
 * assessor reports it as Unknown with this message, as Argo CD does with the error of a check.
 */
export class HealthCheckFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HealthCheckFailure';
  }
}

/** Go's `schema.GroupVersionKind.String()`, used in Argo CD's "unsupported GVK" messages. */
export function gvkString(group: string, version: string, kind: string): string {
  return `${group}/${version}, Kind=${kind}`;
}

/** Go's `%q` for the plain strings used in messages. */
export function quote(value: string): string {
  return JSON.stringify(value);
}
