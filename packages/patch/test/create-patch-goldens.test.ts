import { readFileSync } from 'node:fs';
import { type JsonObject, jsonEqual } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { applyStrategicMergePatch, createThreeWayMergePatch } from '../src/index.js';

// Hand-written (last-applied, live, desired) triples and the patch `kubectl apply` sent for each
// (generate-create-patch-goldens.ts): each aimed at one rule of CreateThreeWayMergePatch.

interface ApplyCase {
  id: number;
  name: string;
  lastApplied?: JsonObject;
  live: JsonObject;
  desired: JsonObject;
  patchType?: 'strategic';
  patch?: JsonObject;
  error?: string;
  conflictWithoutOverwrite?: string;
}

const ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
const cases = (
  JSON.parse(readFileSync(new URL('./fixtures/create-patch-goldens.json', import.meta.url), 'utf8')) as {
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

function ours(c: ApplyCase, overwrite = true): JsonObject | string {
  try {
    return createThreeWayMergePatch(c.lastApplied, modifiedOf(c), c.live, { overwrite });
  } catch (err) {
    return `${(err as { code?: string }).code}: ${(err as Error).message}`;
  }
}

describe('kubectl apply goldens of patch creation (create-patch-goldens.json)', () => {
  it('holds patches, refusals and long lists with repeated merge keys', () => {
    expect(cases.filter((c) => c.patch !== undefined).length).toBeGreaterThan(40);
    expect(cases.filter((c) => c.error !== undefined).length).toBeGreaterThan(5);
    expect(cases.filter((c) => c.name.includes('merge keys')).length).toBeGreaterThan(10);
  });

  it('creates the patch kubectl sent, or refuses where kubectl refused', () => {
    const failures: string[] = [];
    for (const c of cases) {
      const got = ours(c);
      const same = c.patch !== undefined ? jsonEqual(got, c.patch) : typeof got === 'string';
      if (!same) {
        failures.push(
          `#${c.id} ${c.name}:\n ours    ${JSON.stringify(got)}\n kubectl ${c.error ?? JSON.stringify(c.patch)}`,
        );
      }
    }
    expect(failures).toEqual([]);
  });

  it('refuses without overwrite exactly where kubectl refused', () => {
    const failures: string[] = [];
    for (const c of cases) {
      const refused = typeof ours(c, false) === 'string';
      if (refused !== (c.conflictWithoutOverwrite !== undefined)) {
        failures.push(
          `#${c.id} ${c.name}: kubectl ${c.conflictWithoutOverwrite ?? 'applied'}, ours ${refused}`,
        );
      }
    }
    expect(failures).toEqual([]);
  });

  it('applied to live, gives desired containers and drops those the last apply set and desired no longer has', () => {
    const containers = (o: JsonObject | undefined) =>
      ((o?.spec as JsonObject | undefined)?.containers as JsonObject[] | undefined) ?? [];
    const failures: string[] = [];
    let checked = 0;
    for (const c of cases) {
      const wanted = containers(c.desired);
      const names = wanted.map((x) => x.name);
      // Null or repeated merge keys: the patch is kubectl's, but applying it fails (null) or
      // deletes every item of a repeated key, on the server as in ours.
      const named = [c.lastApplied, c.live, c.desired].every((o) => {
        const list = containers(o).map((x) => x.name);
        return list.every((n) => typeof n === 'string') && new Set(list).size === list.length;
      });
      if (c.patch === undefined || !named) continue;
      checked++;
      const result = containers(applyStrategicMergePatch(c.live, ours(c) as JsonObject));
      for (const w of wanted) {
        const got = result.find((x) => x.name === w.name);
        if (got?.image !== w.image) failures.push(`#${c.id} ${c.name}: ${String(w.name)} is ${got?.image}`);
      }
      for (const gone of containers(c.lastApplied).filter((x) => !names.includes(x.name))) {
        if (result.some((x) => x.name === gone.name))
          failures.push(`#${c.id} ${c.name}: ${String(gone.name)} kept`);
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(20);
  });
});
