import { OciFormatError } from './errors.js';

/** A parsed artifact reference: `oci://registry[:port]/repository[:tag][@digest]`. */
export interface OciReference {
  /** The registry's host, with its port when given (`ghcr.io`, `localhost:5000`). */
  registry: string;
  /** The repository path inside the registry (`org/app`). */
  repository: string;
  /** The tag, when the reference names one. */
  tag?: string | undefined;
  /** The digest (`sha256:<hex>`), when the reference names one. */
  digest?: string | undefined;
}

/** A repository path component, as the distribution spec defines it. */
const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
/** A tag, as the distribution spec defines it. */
export const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** A digest this package can verify. */
export const DIGEST_PATTERN = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;
/** The longest repository path the distribution spec allows with its registry name. */
const MAX_NAME_LENGTH = 255;

function invalid(input: string, why: string): OciFormatError {
  return new OciFormatError('OCI_REFERENCE', `invalid OCI reference "${input}": ${why}`);
}

/**
 * Parses `oci://registry/repository[:tag][@sha256:…]` (the `oci://` prefix is optional, as in
 * `flux push artifact` and an OCIRepository's `url`). The registry must be named: a first component
 * without a dot, a colon or `localhost` is refused rather than guessed to be Docker Hub. Docker
 * Hub's `docker.io` is reached at `registry-1.docker.io` ({@link registryEndpoint}).
 */
export function parseOciReference(input: string): OciReference {
  let rest = input.startsWith('oci://') ? input.slice('oci://'.length) : input;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(rest)) throw invalid(input, 'only the oci:// scheme is accepted');
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_PATTERN.test(digest)) throw invalid(input, `"${digest}" is not a sha256 or sha512 digest`);
  }
  const slash = rest.indexOf('/');
  if (slash <= 0) throw invalid(input, 'no registry host and repository');
  const registry = rest.slice(0, slash);
  let path = rest.slice(slash + 1);
  if (!/[.:]/.test(registry) && registry !== 'localhost') {
    throw invalid(input, `"${registry}" is not a registry host (name one, e.g. ghcr.io/${registry})`);
  }
  if (!/^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9a-fA-F:]+\](?::\d{1,5})?$/.test(registry)) {
    throw invalid(input, `"${registry}" is not a host[:port]`);
  }
  let tag: string | undefined;
  const colon = path.lastIndexOf(':');
  if (colon >= 0) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
    if (!TAG_PATTERN.test(tag)) throw invalid(input, `"${tag}" is not a valid tag`);
  }
  if (path === '' || !path.split('/').every((c) => COMPONENT.test(c))) {
    throw invalid(input, `"${path}" is not a repository path (lower-case components separated by /)`);
  }
  if (registry.length + 1 + path.length > MAX_NAME_LENGTH) {
    throw invalid(input, `the name is over ${MAX_NAME_LENGTH} characters`);
  }
  return { registry, repository: path, tag, digest };
}

/** The reference as text: `oci://registry/repository[:tag][@digest]`. */
export function formatOciReference(ref: OciReference): string {
  return `oci://${ref.registry}/${ref.repository}${ref.tag === undefined ? '' : `:${ref.tag}`}${
    ref.digest === undefined ? '' : `@${ref.digest}`
  }`;
}

/** True for a registry on this machine: `localhost`, `127.x.x.x` and `[::1]`, with any port. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.replace(/:\d+$/, '');
  return host === 'localhost' || /^127(?:\.\d{1,3}){3}$/.test(host) || host === '[::1]';
}

/**
 * The base URL of a registry's API. Plain HTTP only when `insecure` says so, or, when it is not
 * given, for a loopback registry (as go-containerregistry, which Flux uses, treats those).
 */
export function registryEndpoint(registry: string, insecure?: boolean): string {
  const plain = insecure ?? isLoopbackRegistry(registry);
  const host = registry === 'docker.io' ? 'registry-1.docker.io' : registry;
  return `${plain ? 'http' : 'https'}://${host}`;
}
