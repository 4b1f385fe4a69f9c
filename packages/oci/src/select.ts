import semver from 'semver';
import { OciFormatError, OciNoMatchingTagError } from './errors.js';
import { DIGEST_PATTERN, TAG_PATTERN } from './reference.js';

/**
 * Which artifact of a repository to follow, as an OCIRepository's `spec.ref`: precedence `digest`
 * > `semver` > `tag`; `latest` when nothing is given.
 */
export interface OciRef {
  /** A tag (`v1.2.3`, `latest`). */
  tag?: string | undefined;
  /** A semver range (`>=1.0.0 <2.0.0`, `^1.2`) over the repository's tags; the highest match wins. */
  semver?: string | undefined;
  /** A regular expression a tag must match before semver is applied (`semverFilter`). */
  semverFilter?: string | undefined;
  /** A manifest digest (`sha256:<hex>`). */
  digest?: string | undefined;
}

/** How a ref selects: the tag or digest to ask the registry for. */
export type RefSelection =
  | { kind: 'digest'; digest: string }
  | { kind: 'tag'; tag: string }
  | { kind: 'semver'; range: string; filter: RegExp | undefined };

/** Checks a ref and says how it selects (Flux's precedence). */
export function refSelection(ref: OciRef = {}): RefSelection {
  if (ref.digest !== undefined) {
    if (!DIGEST_PATTERN.test(ref.digest)) {
      throw new OciFormatError(
        'OCI_REFERENCE',
        `ref.digest "${ref.digest}" is not a sha256 or sha512 digest`,
        {
          path: 'ref.digest',
        },
      );
    }
    return { kind: 'digest', digest: ref.digest };
  }
  if (ref.semver !== undefined) {
    if (semver.validRange(ref.semver, { loose: true }) === null) {
      throw new OciFormatError('OCI_REFERENCE', `ref.semver "${ref.semver}" is not a semver range`, {
        path: 'ref.semver',
      });
    }
    let filter: RegExp | undefined;
    if (ref.semverFilter !== undefined) {
      try {
        filter = new RegExp(ref.semverFilter);
      } catch (err) {
        throw new OciFormatError('OCI_REFERENCE', `ref.semverFilter is not a regular expression`, {
          path: 'ref.semverFilter',
          cause: err,
        });
      }
    }
    return { kind: 'semver', range: ref.semver, filter };
  }
  const tag = ref.tag ?? 'latest';
  if (!TAG_PATTERN.test(tag)) {
    throw new OciFormatError('OCI_REFERENCE', `ref.tag "${tag}" is not a valid tag`, { path: 'ref.tag' });
  }
  return { kind: 'tag', tag };
}

/**
 * The highest tag that is a semantic version (a leading `v` allowed) within `range`, among those
 * matching `filter`; pre-releases only when the range names one, as Flux's semver library does.
 * Throws {@link OciNoMatchingTagError} when none is.
 */
export function selectSemverTag(tags: readonly string[], range: string, filter?: RegExp): string {
  let best: { tag: string; version: semver.SemVer } | undefined;
  for (const tag of tags) {
    if (filter !== undefined && !filter.test(tag)) continue;
    const version = semver.parse(tag, { loose: true });
    if (version === null || !semver.satisfies(version, range, { loose: true })) continue;
    if (best === undefined || semver.gt(version, best.version)) best = { tag, version };
  }
  if (best === undefined) throw new OciNoMatchingTagError(range);
  return best.tag;
}
