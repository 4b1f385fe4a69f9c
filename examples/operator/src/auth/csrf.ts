import { createHmac, timingSafeEqual } from 'node:crypto';

/** The form field that carries the CSRF token. */
export const CSRF_FIELD = '_csrf';

// Domain separation: this HMAC is used for nothing else.
const CSRF_PURPOSE = 'gitops-kit.dev/web-view/csrf/v1';

/**
 * The CSRF token of a session: a synchronizer token bound to it, HMAC-SHA256 keyed by the
 * session's bearer token. Another site cannot compute it (the token is in an HttpOnly cookie it
 * cannot read), it changes when the session does, and every replica computes the same one without
 * shared state. The page carries it in each form; the session cookie alone is not enough to act.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update(CSRF_PURPOSE).digest('base64url');
}

/** Whether `given` is the session's CSRF token, compared in constant time. */
export function isValidCsrfToken(sessionToken: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string' || given === '') return false;
  const want = Buffer.from(csrfTokenFor(sessionToken));
  const got = Buffer.from(given);
  return got.length === want.length && timingSafeEqual(got, want);
}
