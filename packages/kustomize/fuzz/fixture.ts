/**
 * Writes a shrunk mismatch as a golden fixture: the tree, kubectl's output (`expected.yaml`) or
 * refusal (`expected-error.txt`), and `fuzz.json` with the seed that found it and the directory
 * to render. test/fuzz-goldens.test.ts renders every fixture of the folder.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject } from '@gitops-kit/core';
import type { Verdict } from './oracle.js';
import { type FuzzTree, writeTree } from './tree.js';

/** What `fuzz.json` records. */
export interface FixtureInfo {
  /** The run's seed and the tree's index in it: `pnpm fuzz:kustomize --seed S --only I` replays it. */
  seed: number;
  index: number;
  /** The directory to render, relative to the fixture. */
  root: string;
  /** The mismatch as first seen (before any fix). */
  mismatch: string;
  detail: string;
}

// A short name from the kustomization fields the shrunk tree still uses.
function fixtureName(tree: FuzzTree, info: FixtureInfo): string {
  const fields = new Set<string>();
  for (const [path, body] of Object.entries(tree.files)) {
    if (!path.endsWith('kustomization.yaml') || !('yaml' in body)) continue;
    const k = body.yaml[0];
    if (typeof k !== 'object' || k === null || Array.isArray(k)) continue;
    for (const f of Object.keys(k as JsonObject))
      if (!['apiVersion', 'kind', 'resources'].includes(f))
        fields.add(f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));
  }
  return [info.mismatch, ...[...fields].slice(0, 3), info.seed.toString(16), String(info.index)].join('-');
}

/** Writes the fixture under `outDir` and returns its directory. */
export function writeFixture(outDir: string, tree: FuzzTree, verdict: Verdict, info: FixtureInfo): string {
  let name = fixtureName(tree, info);
  while (existsSync(join(outDir, name))) name += 'x';
  const dir = join(outDir, name);
  writeTree(tree, dir);
  if (verdict.kubectl.ok) writeFileSync(join(dir, 'expected.yaml'), verdict.kubectl.yaml);
  else writeFileSync(join(dir, 'expected-error.txt'), `${verdict.kubectl.error}\n`);
  writeFileSync(join(dir, 'fuzz.json'), `${JSON.stringify(info, null, 2)}\n`);
  return dir;
}
