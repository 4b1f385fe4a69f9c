import { readFileSync } from 'node:fs';
import { type JsonObject, jsonEqual } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { createThreeWayJsonMergePatch, createThreeWayMergePatch } from '../src/index.js';

// The patches `kubectl apply` computed against a fake API server (generate-apply-goldens.ts):
// strategic merge patches for built-in kinds, JSON merge patches for custom resources.

interface ApplyCase {
  id: number;
  name: string;
  lastApplied?: JsonObject;
  live: JsonObject;
  desired: JsonObject;
  patchType?: 'strategic' | 'merge';
  patch?: JsonObject;
  /** kubectl's refusal of the same apply with --overwrite=false, if it refused. */
  conflictWithoutOverwrite?: string;
}

const ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
const cases = (
  JSON.parse(readFileSync(new URL('./fixtures/apply-goldens.json', import.meta.url), 'utf8')) as {
    cases: ApplyCase[];
  }
).cases;

/** What kubectl applies: desired, carrying the new last-applied annotation. */
function modifiedOf(c: ApplyCase): JsonObject {
  const patched = (c.patch?.metadata as JsonObject | undefined)?.annotations as JsonObject | undefined;
  const live = ((c.live.metadata as JsonObject).annotations as JsonObject | undefined)?.[ANNOTATION];
  const value = patched?.[ANNOTATION] ?? live;
  const metadata = { ...(c.desired.metadata as JsonObject) };
  if (value !== undefined && value !== null) {
    metadata.annotations = {
      ...((metadata.annotations as JsonObject | undefined) ?? {}),
      [ANNOTATION]: value,
    };
  }
  return { ...c.desired, metadata };
}

describe('kubectl apply goldens (apply-goldens.json)', () => {
  it('holds strategic and JSON merge cases', () => {
    expect(cases.filter((c) => c.patchType === 'strategic').length).toBeGreaterThan(100);
    expect(cases.filter((c) => c.patchType === 'merge').length).toBeGreaterThan(10);
  });

  it('computes the same three-way patch as kubectl apply on every case', () => {
    const failures: string[] = [];
    for (const c of cases) {
      if (c.patch === undefined) continue;
      const modified = modifiedOf(c);
      const ours =
        c.patchType === 'merge'
          ? createThreeWayJsonMergePatch(c.lastApplied, modified, c.live)
          : createThreeWayMergePatch(c.lastApplied, modified, c.live);
      if (!jsonEqual(ours, c.patch)) {
        failures.push(
          `#${c.id} ${c.name} (${c.patchType}):\n ours   ${JSON.stringify(ours)}\n kubectl ${JSON.stringify(c.patch)}`,
        );
      }
    }
    expect(failures).toEqual([]);
  });

  it('reports a conflict without --overwrite exactly where kubectl does', () => {
    const mismatches: string[] = [];
    let conflicts = 0;
    for (const c of cases) {
      if (c.patch === undefined || c.patchType !== 'strategic') continue;
      let refused = false;
      try {
        createThreeWayMergePatch(c.lastApplied, modifiedOf(c), c.live, { overwrite: false });
      } catch (err) {
        refused = (err as { code?: string }).code === 'PATCH_CONFLICT';
      }
      if (refused) conflicts++;
      if (refused !== (c.conflictWithoutOverwrite !== undefined)) {
        mismatches.push(
          `#${c.id} ${c.name}: kubectl ${c.conflictWithoutOverwrite ?? 'applied'}, ours ${refused ? 'conflict' : 'applied'}`,
        );
      }
    }
    expect(mismatches).toEqual([]);
    expect(conflicts).toBeGreaterThan(0);
  });
});
