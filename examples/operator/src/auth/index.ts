/**
 * Authentication and authorization of the operator's HTTP endpoints, delegated to the cluster
 * (TokenReview and SubjectAccessReview, as kube-rbac-proxy), with the web view's session cookie,
 * CSRF tokens and Host allowlist.
 */
export {
  AccessControl,
  type AccessControlOptions,
  type AuthenticationOutcome,
  describeDenial,
  type Principal,
} from './access-control.js';
export {
  type AccessDecision,
  AccessReviewer,
  type AccessReviewerOptions,
  type PathAccess,
  type ResourceAccess,
} from './access-reviewer.js';
export {
  APPLICATION_READ_VERBS,
  APPLICATION_WRITE_VERBS,
  applicationAccessRbac,
  type RbacSubject,
} from './application-rbac.js';
export { CSRF_FIELD, csrfTokenFor, isValidCsrfToken } from './csrf.js';
export { AuthenticationError, AuthorizationError, ReviewUnavailableError } from './errors.js';
export { DEFAULT_ALLOWED_HOSTS, HostAllowlist, hostnameOf } from './host-allowlist.js';
export { ReviewCache, type ReviewCacheOptions } from './review-cache.js';
export {
  type CredentialSource,
  clearedSessionCookie,
  isSecureRequest,
  MAX_SESSION_TOKEN_BYTES,
  type RequestCredentials,
  requestCredentials,
  SESSION_COOKIE,
  sessionCookie,
} from './session-cookie.js';
export { type AuthenticatedUser, TokenReviewer, type TokenReviewerOptions } from './token-reviewer.js';
