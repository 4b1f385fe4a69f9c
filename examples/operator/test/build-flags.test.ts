import { ValidationError } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { specFromFlags, type Values } from '../src/app-cli-flags.js';

const base = { source: { repoURL: 'https://git.example.com/deploy.git' }, destination: {} };
const flags = (values: Record<string, unknown>, from: object = base) =>
  specFromFlags(values as Values, from as never) as Record<string, unknown>;

describe('app create/set: decryption and postBuild flags', () => {
  it('set spec.decryption and spec.postBuild, merging variables and replacing substituteFrom', () => {
    const spec = flags({
      'decryption-secret': 'sops-keys',
      substitute: ['cluster_name=edge', 'url=https://a/b?c=d'],
      'substitute-from': ['ConfigMap/vars', 'Secret/secret-vars:optional'],
      'strict-substitution': true,
    });
    expect(spec.decryption).toEqual({ provider: 'sops', secretRef: { name: 'sops-keys' } });
    expect(spec.postBuild).toEqual({
      substitute: { cluster_name: 'edge', url: 'https://a/b?c=d' },
      substituteFrom: [
        { kind: 'ConfigMap', name: 'vars' },
        { kind: 'Secret', name: 'secret-vars', optional: true },
      ],
      strict: true,
    });
    const again = flags({ substitute: ['region=eu'], 'substitute-from': [''] }, spec);
    expect(again.postBuild).toEqual({
      substitute: { cluster_name: 'edge', url: 'https://a/b?c=d', region: 'eu' },
      strict: true,
    });
    const cleared = flags({ 'decryption-secret': '' }, { ...base, decryption: spec.decryption });
    expect(cleared.decryption).toBeUndefined();
    expect(flags({}).postBuild).toBeUndefined();
  });

  it('refuses a variable without = and a reference of another kind', () => {
    expect(() => flags({ substitute: ['novalue'] })).toThrow(ValidationError);
    expect(() => flags({ 'substitute-from': ['Pod/x'] })).toThrow(
      '--substitute-from is ConfigMap/NAME or Secret/NAME[:optional], not "Pod/x"',
    );
  });
});
