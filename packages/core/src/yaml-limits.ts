import { ParseError } from './errors.js';

/** Limits that protect the parser from hostile input. */
export interface YamlLimits {
  /**
   * The most alias nodes (`*name`) one document may resolve. Aliases are what makes a
   * "billion laughs" document expand exponentially; real manifests use a handful at most.
   */
  maxAliasCount: number;
  /** The largest document, in UTF-8 bytes of its source text, checked before it is parsed. */
  maxDocumentBytes: number;
  /** The most documents (empty ones included) one file may hold. */
  maxDocuments: number;
}

/**
 * The default limits: 100 alias resolutions per document (nested ones count, so a billion-laughs
 * document stops at the hundredth), 8 MiB per document, 10 000 documents per file. No object the
 * API server stores is larger than etcd's 1.5 MiB request limit, and the largest CRDs are a few
 * MiB of YAML; bundles hold at most a few thousand documents. Anything beyond is refused rather
 * than allowed to exhaust memory or time.
 */
export const DEFAULT_YAML_LIMITS: YamlLimits = Object.freeze({
  maxAliasCount: 100,
  maxDocumentBytes: 8 * 1024 * 1024,
  maxDocuments: 10_000,
});

/** Merges partial limits over the defaults, rejecting nonsense values. */
export function resolveYamlLimits(limits: Partial<YamlLimits> | undefined): YamlLimits {
  const out: YamlLimits = { ...DEFAULT_YAML_LIMITS, ...(limits ?? {}) };
  for (const [name, value] of Object.entries(out)) {
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
      throw new ParseError(`YAML limit ${name} must be a non-negative number, got ${String(value)}`);
    }
  }
  return out;
}
