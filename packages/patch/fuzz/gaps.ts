/**
 * Known gaps: mismatches whose cause is understood and not fixed yet. `--skip-known-gaps` counts
 * them apart instead of as mismatches (CI); a hunting run leaves the flag off and sees them all.
 */
import type { FuzzCase } from './generator.js';
import type { Outcome } from './oracle.js';

/** One known gap: a name, why it is open, and how to recognise it from the outcomes. */
export interface KnownGap {
  name: string;
  why: string;
  matches(c: FuzzCase, ours: Outcome, kubectl: Outcome): boolean;
}

/** The open gaps. */
export const KNOWN_GAPS: readonly KnownGap[] = [
  {
    name: 'unknown-struct-field',
    why:
      'kubectl looks up the Go struct of a field when both sides hold a map or a list there, or a ' +
      '$setElementOrder names it, and refuses a field the struct lacks; the built-in schema lists only ' +
      'the fields whose patch strategy differs from the default, so it cannot tell an unknown field ' +
      'from a plain one and merges it',
    matches: (c, ours, kubectl) =>
      c.type === 'strategic' &&
      ours.ok &&
      !kubectl.ok &&
      /unable to find api field in struct|expected slice or array type|merging an object in json but data type is not/.test(
        kubectl.error,
      ),
  },
  {
    name: 'json-patch-lenient',
    why:
      'kubectl (and the API server) apply JSON patches with evanphx/json-patch v4, which takes what ' +
      'RFC 6902 refuses: `replace` of a missing field adds it, `copy` from a missing field copies ' +
      'null, `test` of a missing field against null passes, an `add` without `value` adds null, ' +
      'negative and zero-padded list indexes, `~` followed by another character, a pointer without ' +
      'its leading slash (its first token ignored); applyJsonPatch validates every operation by the RFC',
    matches: (c, ours, kubectl) => c.type === 'json' && !ours.ok && kubectl.ok,
  },
  {
    name: 'kind-missing-from-schema',
    why:
      "kinds kubectl's scheme has Go types for that the built-in schema does not describe yet " +
      '(none known: the fuzzer probes a list of them): with `untyped: error` we refuse them',
    matches: (c, ours, kubectl) =>
      c.type === 'strategic' && !ours.ok && kubectl.ok && /no schema describes it/.test(ours.error),
  },
  {
    name: 'schema-wider-than-kubectl',
    why:
      'the built-in schema describes a kind in every version of its group (a newer version works ' +
      'without an update) and describes CustomResourceDefinition; kubectl refuses a strategic merge ' +
      'patch on a version or kind its Go types lack (apps/v9 Deployment)',
    matches: (c, ours, kubectl) =>
      c.type === 'strategic' &&
      ours.ok &&
      !kubectl.ok &&
      /strategic merge patch is not supported for/.test(kubectl.error),
  },
];

/** The known gap the outcomes show, if any. */
export function knownGap(c: FuzzCase, ours: Outcome, kubectl: Outcome): KnownGap | undefined {
  return KNOWN_GAPS.find((g) => g.matches(c, ours, kubectl));
}
