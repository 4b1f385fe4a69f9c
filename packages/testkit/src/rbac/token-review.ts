import { isJsonObject, type JsonObject, type JsonValue } from '@gitops-kit/core';
import { badRequest } from '../api-error.js';
import type { UserInfo } from './user.js';

/** The API server's own audience, which its tokens are valid for. */
export const API_SERVER_AUDIENCE = 'https://kubernetes.default.svc.cluster.local';

/** Finds the user a bearer token belongs to; undefined for an unknown token. */
export type TokenAuthenticator = (token: string) => UserInfo | undefined;

function userJson(user: UserInfo): JsonObject {
  const out: JsonObject = { username: user.username };
  if (user.uid) out.uid = user.uid;
  out.groups = [...user.groups];
  if (user.extra && Object.keys(user.extra).length > 0) out.extra = user.extra;
  return out;
}

/**
 * Answers a `TokenReview` (`authentication.k8s.io/v1`) as kube-apiserver's registry does: the
 * request echoed with a `status` of `authenticated`, `user` (name, uid, groups) and `audiences`,
 * or `user: {}` and an `error` for a token nobody has. testkit's tokens are audience-agnostic:
 * they are valid for the audiences asked for, else for the API server's. A review without a
 * token is a 400, as there.
 */
export function reviewToken(body: JsonValue, authenticate: TokenAuthenticator): JsonObject {
  if (!isJsonObject(body)) throw badRequest('the request body must be a TokenReview object');
  const spec = isJsonObject(body.spec) ? body.spec : {};
  const token = typeof spec.token === 'string' ? spec.token : '';
  if (token === '') throw badRequest('token is required for TokenReview in authentication');
  const audiences = Array.isArray(spec.audiences)
    ? spec.audiences.filter((a): a is string => typeof a === 'string')
    : [];
  const user = authenticate(token);
  const status: JsonObject = user
    ? {
        authenticated: true,
        user: userJson(user),
        audiences: audiences.length > 0 ? audiences : [API_SERVER_AUDIENCE],
      }
    : { user: {}, error: 'invalid bearer token' };
  return {
    kind: 'TokenReview',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec: { ...spec },
    status,
  };
}
