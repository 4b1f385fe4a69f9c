import { GitOpsError } from '@gitops-kit/core';
import { OciAuthError, type OciRef, OciSource } from '@gitops-kit/oci';
import type { ApplicationSource } from './application-schema.js';
import {
  credentialSecretsOf,
  REPOSITORY_CREDENTIALS_SECRET_TYPE,
  REPOSITORY_SECRET_LABEL,
  REPOSITORY_SECRET_TYPE,
  type ResolvedRepositoryCredentials,
} from './repository-credentials.js';

/** The OCI part of an Application's source (`spec.source.oci`). */
export type ApplicationOciSource = NonNullable<ApplicationSource['oci']>;

/** The URL credentials are looked up by: the Git `repoURL` or the OCI `oci.url`. */
export function sourceURLOf(source: ApplicationSource): string {
  return source.oci?.url ?? source.repoURL ?? '';
}

/**
 * The ref to pull for a revision recorded in history (`<tag>@sha256:<hex>` or `sha256:<hex>`, as
 * Flux records one): its digest, so a rollback pulls exactly the artifact that was deployed even
 * when the tag has moved since. Undefined when the revision names no digest.
 */
export function ociRefForRevision(revision: string): OciRef | undefined {
  const digest = /(?:^|@)(sha256:[0-9a-f]{64})$/.exec(revision.trim())?.[1];
  return digest === undefined ? undefined : { digest };
}

/** The ref an Application's OCI source follows, or the digest of a revision override. */
export function ociRefOf(oci: ApplicationOciSource, revisionOverride: string | undefined): OciRef {
  if (revisionOverride !== undefined && revisionOverride !== '') {
    const ref = ociRefForRevision(revisionOverride);
    if (ref === undefined) {
      throw new GitOpsError(
        'INVALID',
        `revision ${JSON.stringify(revisionOverride)} names no digest; an OCI source syncs to <tag>@sha256:<hex> or sha256:<hex>`,
      );
    }
    return ref;
  }
  return { ...oci.ref };
}

/**
 * An `OciSource` for an Application's OCI source with the credentials of its repository Secrets:
 * a username and password (or a bearer token given as the password) are sent as basic auth, to the
 * registry or to its token service for the token exchange, as Flux's `secretRef` does. With
 * `storageDir`, artifacts are unpacked below it instead of into memory.
 */
export function createOciSource(
  oci: ApplicationOciSource,
  ref: OciRef,
  credentials: ResolvedRepositoryCredentials,
  options: { timeoutMs?: number | undefined; storageDir?: string | undefined } = {},
): OciSource {
  const auth = credentials.auth;
  const password = auth?.password ?? auth?.bearerToken;
  return new OciSource({
    url: oci.url.trim(),
    ref,
    insecure: oci.insecure,
    timeoutMs: options.timeoutMs,
    // Unpacked to disk when given a directory: in memory an artifact costs about 3.7 times its layer.
    ...(options.storageDir !== undefined
      ? { storage: { type: 'disk' as const, dir: options.storageDir } }
      : {}),
    ...(auth !== undefined && password !== undefined
      ? { credentials: { username: auth.username ?? '', password } }
      : {}),
  });
}

/**
 * An authentication error of a registry says which Secrets gave its credentials, or, with none,
 * which Secret to add. Other errors are returned as they are.
 */
export function explainOciError(err: unknown, credentialsId: string, namespace: string): unknown {
  if (!(err instanceof OciAuthError)) return err;
  const used = credentialSecretsOf(credentialsId);
  const hint =
    used.length > 0
      ? ` (credentials from ${used.length === 1 ? 'Secret' : 'Secrets'} ${used.join(' and ')})`
      : `; add a Secret labelled ${REPOSITORY_SECRET_LABEL}=${REPOSITORY_SECRET_TYPE} (or ${REPOSITORY_CREDENTIALS_SECRET_TYPE}) with type: oci and the url in namespace ${namespace}`;
  return new GitOpsError(err.code, `${err.reason}${hint}`, { cause: err });
}

/** How an OCI ref reads in `app get` and the web view: `digest sha256:…`, `semver ^1.0`, `tag v1`. */
export function describeOciRef(ref: OciRef | undefined): string {
  if (ref?.digest) return `digest ${ref.digest}`;
  if (ref?.semver)
    return `semver ${ref.semver}${ref.semverFilter ? ` (tags matching ${ref.semverFilter})` : ''}`;
  return `tag ${ref?.tag ?? 'latest'}`;
}
