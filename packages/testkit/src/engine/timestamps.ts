/** Now as Kubernetes writes a timestamp: RFC 3339 in UTC, whole seconds (`2024-01-02T03:04:05Z`). */
export function nowTimestamp(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}
