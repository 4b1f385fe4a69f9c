// References, WWW-Authenticate challenges, manifests and semver selection, without a registry.
import { describe, expect, it } from 'vitest';
import {
  parseImageManifest,
  parseOciReference,
  parseWwwAuthenticate,
  refSelection,
  registryEndpoint,
  selectSemverTag,
} from '../src/index.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseOciReference', () => {
  it('parses registry, repository, tag and digest', () => {
    expect(parseOciReference('oci://ghcr.io/org/app:v1.0.0')).toEqual({
      registry: 'ghcr.io',
      repository: 'org/app',
      tag: 'v1.0.0',
      digest: undefined,
    });
    expect(parseOciReference(`localhost:5000/a/b/c@${D}`)).toEqual({
      registry: 'localhost:5000',
      repository: 'a/b/c',
      tag: undefined,
      digest: D,
    });
  });

  it('refuses what is not a reference, with VALIDATION_ERROR', () => {
    for (const bad of [
      'oci://app',
      'oci://org/app',
      'https://ghcr.io/a',
      'oci://ghcr.io/Org/app',
      'oci://ghcr.io/a:bad tag',
      'oci://ghcr.io/a@sha256:12',
    ]) {
      expect(() => parseOciReference(bad), bad).toThrow(
        expect.objectContaining({ code: 'VALIDATION_ERROR', ociCode: 'OCI_REFERENCE' }),
      );
    }
  });

  it('uses plain HTTP only for loopback registries unless told', () => {
    expect(registryEndpoint('127.0.0.1:5000')).toBe('http://127.0.0.1:5000');
    expect(registryEndpoint('localhost')).toBe('http://localhost');
    expect(registryEndpoint('ghcr.io')).toBe('https://ghcr.io');
    expect(registryEndpoint('registry.local:5000', true)).toBe('http://registry.local:5000');
    expect(registryEndpoint('docker.io')).toBe('https://registry-1.docker.io');
  });
});

describe('parseWwwAuthenticate', () => {
  it('reads Bearer parameters, quoted commas and escapes, and several challenges', () => {
    expect(
      parseWwwAuthenticate(
        'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.example/token',
          service: 'registry.example',
          scope: 'repository:a/b:pull,push',
        },
      },
    ]);
    expect(parseWwwAuthenticate('Basic realm="a \\"b\\"", Bearer realm=x')).toEqual([
      { scheme: 'basic', params: { realm: 'a "b"' } },
      { scheme: 'bearer', params: { realm: 'x' } },
    ]);
    expect(parseWwwAuthenticate('')).toEqual([]);
  });
});

describe('parseImageManifest', () => {
  const manifest = (extra: object) =>
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        config: { mediaType: 'application/vnd.cncf.flux.config.v1+json', digest: D, size: 2 },
        layers: [{ mediaType: 'application/vnd.cncf.flux.content.v1.tar+gzip', digest: D, size: 10 }],
        ...extra,
      }),
    );

  it('accepts an artifact manifest and refuses an index or a bad descriptor', () => {
    expect(parseImageManifest(manifest({}), 'm').layers).toHaveLength(1);
    expect(() => parseImageManifest(manifest({ manifests: [] }), 'm')).toThrow(/image index/);
    expect(() => parseImageManifest(manifest({ schemaVersion: 1 }), 'm')).toThrow(/schemaVersion/);
    expect(() =>
      parseImageManifest(manifest({ layers: [{ digest: 'md5:x', size: 1, mediaType: 'x' }] }), 'm'),
    ).toThrow(/layers\[0\]/);
    expect(() => parseImageManifest(Buffer.from('{'), 'm')).toThrow(
      expect.objectContaining({ code: 'PARSE_ERROR' }),
    );
  });
});

describe('selection', () => {
  const tags = ['v1.0.0', 'v1.2.0', '1.10.1', 'v2.0.0-rc.1', 'latest', 'v1.9.9-beta'];

  it('picks the highest semver match, pre-releases only when the range names one', () => {
    expect(selectSemverTag(tags, '^1.0.0')).toBe('1.10.1');
    expect(selectSemverTag(tags, '1.x', /^v/)).toBe('v1.2.0');
    expect(selectSemverTag(tags, '>=2.0.0-0')).toBe('v2.0.0-rc.1');
    expect(() => selectSemverTag(tags, '^5')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('follows Flux precedence: digest > semver > tag > latest', () => {
    expect(refSelection({ digest: D, semver: '^1', tag: 'x' })).toEqual({ kind: 'digest', digest: D });
    expect(refSelection({ semver: '^1', tag: 'x' })).toMatchObject({ kind: 'semver', range: '^1' });
    expect(refSelection({ tag: 'x' })).toEqual({ kind: 'tag', tag: 'x' });
    expect(refSelection()).toEqual({ kind: 'tag', tag: 'latest' });
    expect(() => refSelection({ semver: 'not a range!' })).toThrow(
      expect.objectContaining({ path: 'ref.semver' }),
    );
  });
});
