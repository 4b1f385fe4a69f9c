import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtinPatchSchema, type FieldPathSegment, lookupFieldSchema } from '../src/index.js';

interface Probe {
  apiVersion: string;
  kind: string;
  path: string;
  kubectl: string;
}

const probes = JSON.parse(
  readFileSync(new URL('./fixtures/schema-probes.json', import.meta.url), 'utf8'),
) as Probe[];

function segments(path: string): FieldPathSegment[] {
  return path.split('.').map((s) => (s.startsWith('[') ? 0 : s));
}

describe('built-in schema data agrees with kubectl (schema-probes.json)', () => {
  it('probed every list field the data describes', () => {
    expect(probes.length).toBeGreaterThan(500);
    expect(probes.filter((p) => p.kubectl.startsWith('merge')).length).toBeGreaterThan(300);
  });

  it('gives each list field the strategy and merge key kubectl uses', () => {
    const schema = builtinPatchSchema();
    const mismatches: string[] = [];
    for (const p of probes) {
      if (p.kubectl === 'unsupported') continue; // kinds this kubectl does not know (newer APIs, CRDs)
      const info = lookupFieldSchema(schema, p.apiVersion, p.kind, segments(p.path));
      const ours =
        info?.patchStrategy === 'merge'
          ? info.mergeKey !== undefined
            ? `merge:${info.mergeKey}`
            : 'merge'
          : 'replace';
      if (ours !== p.kubectl)
        mismatches.push(`${p.apiVersion} ${p.kind} ${p.path}: kubectl ${p.kubectl}, ours ${ours}`);
    }
    expect(mismatches).toEqual([]);
  });
});
