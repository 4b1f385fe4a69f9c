import type { JsonObject } from '@gitops-kit/core';
import { applyReplacements } from './replacements.js';
import type { Resource } from './resource.js';
import { syncAliases } from './value-aliases.js';

/**
 * Runs `replacements` one entry at a time, carrying each entry's writes over to the fields that
 * share a node with the fields it wrote (see value-aliases.ts). kyaml sets a target in place, so a
 * later entry that writes the value a shared field already holds still decides the value of the
 * group: synchronising once after all entries would let an earlier entry's change win.
 */
export function applyReplacementsInPlace(
  resources: readonly Resource[],
  replacements: readonly JsonObject[],
  file: string,
): void {
  for (const entry of replacements) {
    applyReplacements(resources, [entry], file);
    for (const r of resources) syncAliases(r.obj, r.aliases);
  }
}
