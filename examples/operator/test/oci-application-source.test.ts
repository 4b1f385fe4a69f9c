// The OCI source's helpers: the ref a rollback pulls (the digest of a revision recorded as Flux
// records one), how a ref reads in `app get`, and where credentials are looked up.
import { describe, expect, it } from 'vitest';
import { shortCommit } from '../src/cli-format.js';
import { describeOciRef, ociRefForRevision, ociRefOf, sourceURLOf } from '../src/oci-application-source.js';
import { shortRevision } from '../src/target-revision.js';

const HEX = 'ab'.repeat(32);

describe('OCI application source helpers', () => {
  it('a revision <tag>@sha256:<hex> or sha256:<hex> pulls by its digest; anything else names none', () => {
    expect(ociRefForRevision(`v1.2.0@sha256:${HEX}`)).toEqual({ digest: `sha256:${HEX}` });
    expect(ociRefForRevision(`sha256:${HEX}`)).toEqual({ digest: `sha256:${HEX}` });
    expect(ociRefForRevision('main@sha1:0123')).toBeUndefined();
    expect(ociRefForRevision(`v1@sha256:${HEX.slice(2)}`)).toBeUndefined();
  });

  it('the spec ref is followed unless a revision overrides it; an override without a digest is refused', () => {
    const oci = { url: 'oci://r.example/a', ref: { semver: '^1' } };
    expect(ociRefOf(oci, undefined)).toEqual({ semver: '^1' });
    expect(ociRefOf(oci, `v1.0.0@sha256:${HEX}`)).toEqual({ digest: `sha256:${HEX}` });
    expect(() => ociRefOf(oci, 'main')).toThrow(/names no digest/);
  });

  it('describes a ref by what wins: digest, then semver, then tag (latest by default)', () => {
    expect(describeOciRef({ tag: 'v1', semver: '^1', digest: `sha256:${HEX}` })).toBe(`digest sha256:${HEX}`);
    expect(describeOciRef({ tag: 'v1', semver: '^1', semverFilter: '-rc' })).toBe(
      'semver ^1 (tags matching -rc)',
    );
    expect(describeOciRef({ tag: 'v1' })).toBe('tag v1');
    expect(describeOciRef(undefined)).toBe('tag latest');
  });

  it('credentials are looked up by the OCI URL, or by the Git repoURL', () => {
    expect(sourceURLOf({ oci: { url: 'oci://r.example/a' }, path: 'x' })).toBe('oci://r.example/a');
    expect(sourceURLOf({ repoURL: 'https://git.example/a' })).toBe('https://git.example/a');
  });
});

describe('short forms of an OCI revision', () => {
  it('keeps the tag and twelve digits of the digest; Git revisions as before', () => {
    expect(shortRevision(`v1.0.0@sha256:${HEX}`)).toBe('v1.0.0@sha256:abababababab');
    expect(shortRevision(`sha256:${HEX}`)).toBe('sha256:abababababab');
    expect(shortCommit(`v1.0.0@sha256:${HEX}`)).toBe('v1.0.0@sha256:abababababab');
    expect(shortRevision(`main@sha1:${'c'.repeat(40)}`)).toBe('main@ccccccc');
    expect(shortCommit(`main@sha1:${'c'.repeat(40)}`)).toBe('ccccccc');
  });
});
