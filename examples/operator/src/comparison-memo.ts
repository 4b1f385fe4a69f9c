import { createHash } from 'node:crypto';
import type { KubeObject } from '@gitops-kit/core';
import { compareApplicationWithDiff } from '@gitops-kit/sync';

type CompareInput = Parameters<typeof compareApplicationWithDiff>[0];
type CompareOutput = ReturnType<typeof compareApplicationWithDiff>;

interface Memo {
  desired: CompareInput['desired'];
  renderError: unknown;
  healthOptions: CompareInput['healthOptions'];
  options: string;
  live: string;
  result: CompareOutput;
}

/**
 * The last comparison of each Application, answered again while nothing it reads changed: the same
 * rendered objects (the render cache answers the same array for an unchanged revision and source),
 * the same render error, live objects at the same resourceVersions, the same ignore rules, default
 * namespace and health options. An idle reconcile then diffs nothing. A comparison with diff
 * options (the server-side diff: the server's answers may change) or a live object without a
 * resourceVersion is not kept.
 */
export class ComparisonMemo {
  private readonly last = new Map<string, Memo>();
  private readonly comparer: (input: CompareInput) => CompareOutput;

  /** `compare` is the comparison to remember (default `compareApplicationWithDiff`). */
  constructor(compare: (input: CompareInput) => CompareOutput = compareApplicationWithDiff) {
    this.comparer = compare;
  }

  /** The comparison of `input`, or its last answer for `key` when nothing it reads changed. */
  compare(key: string, input: CompareInput): CompareOutput {
    const live = liveVersions(input.live);
    if (input.diffOptions !== undefined || live === undefined) {
      this.last.delete(key);
      return this.comparer(input);
    }
    const options = JSON.stringify([
      input.defaultNamespace ?? null,
      input.ignore ?? [],
      input.tracking ?? null,
      input.trackingId ?? null,
    ]);
    const memo = this.last.get(key);
    if (
      memo &&
      memo.desired === input.desired &&
      memo.renderError === input.renderError &&
      shallowEqual(memo.healthOptions, input.healthOptions) &&
      memo.options === options &&
      memo.live === live
    )
      return memo.result;
    const result = this.comparer(input);
    this.last.set(key, {
      desired: input.desired,
      renderError: input.renderError,
      healthOptions: input.healthOptions,
      options,
      live,
      result,
    });
    return result;
  }

  /** Forgets an Application's last comparison. */
  forget(key: string): void {
    this.last.delete(key);
  }
}

/**
 * A digest of each live object's identity and resourceVersion, one a line (kept per Application:
 * the lines themselves are kilobytes for an app of many objects); undefined when one has no version.
 */
function liveVersions(live: readonly KubeObject[] | undefined): string | undefined {
  const hash = createHash('sha256');
  for (const o of live ?? []) {
    const version = o.metadata?.resourceVersion;
    if (typeof version !== 'string' || version === '') return undefined;
    hash.update(
      `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}@${version}\n`,
    );
  }
  return hash.digest('base64');
}

/** The same keys with identical values (health options are made afresh, their parts are kept). */
function shallowEqual(a: object | undefined, b: object | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => (a as Record<string, unknown>)[k] === (b as Record<string, unknown>)[k]);
}
