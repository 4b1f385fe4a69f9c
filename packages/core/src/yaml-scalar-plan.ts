import { isAmbiguousPlainString } from './yaml-scalar.js';
import { analyzeScalar, isBreak, isSpace, type Style, utf8Length } from './yaml-scalar-analysis.js';

/**
 * The string go-yaml v2 reads back from `encoding/json`'s text of `s`. JSON escapes every line
 * break but NEL (U+0085), which YAML reads as a line break inside the quoted scalar and folds:
 * spaces around it are dropped, one NEL becomes a space, n NELs in a row become n-1 newlines.
 */
function throughJsonText(s: string): string {
  if (!s.includes('\u0085')) return s;
  return s.replace(/ *(?:\u0085 *)+/g, (run) => {
    const breaks = run.split('\u0085').length - 1;
    return breaks === 1 ? ' ' : '\n'.repeat(breaks - 1);
  });
}

/** What the emitter decided for one scalar text in one context: it depends on the text only. */
export interface ScalarPlan {
  style: Style;
  /** The text as go-yaml v2 sees it (after the trip through JSON). */
  text: string;
  /** How many code points the text has (the columns it takes). */
  length: number;
  /**
   * The code points, kept only for texts the writers walk character by character; plain texts
   * without a space (most of them) are appended whole, so their plan stays small in the cache.
   */
  cps: readonly number[] | undefined;
  /** For a key: libyaml's check_simple_key (one line, at most 128 bytes). */
  simpleKey: boolean;
}

/*
 * Resources of one render repeat the same keys and many of the same values (kinds, labels, image
 * names): the style analysis of a text and the order of a key set are computed once and cached.
 * The caches are bounded: cleared when full, they only cost a recomputation.
 */
const PLAN_CACHE_LIMIT = 20_000;
const PLAN_CACHE_TEXT_LIMIT = 128;
const valuePlans = new Map<string, ScalarPlan>();
const keyPlans = new Map<string, ScalarPlan>();

function planScalar(text: string, requested: Style, simpleKey: boolean): ScalarPlan {
  const cps = Array.from(text, (ch) => ch.codePointAt(0) as number);
  const a = analyzeScalar(cps);
  let style = requested;
  if (simpleKey && a.multiline) style = 'double';
  if (style === 'plain') {
    if (!a.blockPlainAllowed) style = 'single';
    if (cps.length === 0 && simpleKey) style = 'single';
  }
  if (style === 'single' && !a.singleQuotedAllowed) style = 'double';
  if (style === 'literal' && (!a.blockAllowed || simpleKey)) style = 'double';
  // A space or a line break is the only place a line can fold.
  let foldable = false;
  for (const c of cps) {
    if (isSpace(c) || isBreak(c)) {
      foldable = true;
      break;
    }
  }
  return {
    style,
    text,
    length: cps.length,
    cps: style === 'plain' && !foldable ? undefined : cps,
    simpleKey: !a.multiline && utf8Length(text) <= 128,
  };
}

/** The plan for a string value (`key` false) or a simple key (`key` true), cached. */
export function planString(raw: string, key: boolean): ScalarPlan {
  const cache = key ? keyPlans : valuePlans;
  const hit = cache.get(raw);
  if (hit !== undefined) return hit;
  const text = throughJsonText(raw);
  let style: Style;
  if (text.includes('\n')) style = 'literal';
  else if (isAmbiguousPlainString(text)) style = 'double';
  else style = 'plain';
  let plan = planScalar(text, style, key);
  // Not a simple key: written as `? key`, analysed as a value (its simpleKey is false too).
  if (key && !plan.simpleKey) plan = planScalar(text, style, false);
  if (raw.length <= PLAN_CACHE_TEXT_LIMIT) {
    if (cache.size >= PLAN_CACHE_LIMIT) cache.clear();
    cache.set(raw, plan);
  }
  return plan;
}
