import { parseYamlDocuments, type YamlDocument, type YamlValue } from '@gitops-kit/core';
import { markEmptyValue } from './empty-values.js';

/**
 * What a YAML file is to kustomize, which decides what a repeated mapping key does:
 * - `resource`: resources and builtin plugin configs are decoded by go-yaml v3, which refuses a
 *   repeated key;
 * - `configuration`: `configurations` files, decoded by sigs.k8s.io/yaml (go-yaml v2): a repeated
 *   key is refused too, and YAML 1.1 booleans (`create: yes`) are booleans;
 * - `kustomization`: kustomization files (and `replacements` files, checked with kubectl kustomize
 *   v5.5.0) keep the last value and read YAML 1.1 booleans, as go-yaml v2 decoding does;
 * - `schema`: `crds` and `openapi` files keep the last value too;
 * - `patch`: patches stay kyaml nodes, whose field lookup finds the first occurrence;
 * - `json-patch`: a JSON patch written in YAML, which kustomize converts with go-yaml v2 (YAML 1.1
 *   booleans: `yes`, `on`…).
 */
export type YamlRole = 'resource' | 'configuration' | 'kustomization' | 'schema' | 'patch' | 'json-patch';

const DUPLICATE_KEYS = {
  resource: 'error',
  configuration: 'error',
  kustomization: 'last',
  schema: 'last',
  patch: 'first',
  'json-patch': 'first',
} as const;

/**
 * Reads a YAML stream with core's parser as kustomize reads it: kustomize's scalar resolution,
 * positions, limits, merge keys, and integers kept exact up to 64 bits (`bigint` beyond 2^53, so
 * they print back digit for digit). Empty documents are skipped.
 */
export function readYamlDocuments(
  text: string,
  file: string,
  role: YamlRole = 'resource',
): YamlDocument<YamlValue>[] {
  return parseYamlDocuments(text, {
    file,
    bigIntegers: 'bigint',
    duplicateKeys: DUPLICATE_KEYS[role],
    // Resources remember which fields were written with no value: kustomize's merge drops those.
    onEmptyValue: role === 'resource' ? markEmptyValue : undefined,
    // Kustomization files and JSON patches in YAML reach kustomize through go-yaml v2: YAML 1.1
    // booleans (`disableNameSuffixHash: yes`).
    yaml11Booleans: role === 'json-patch' || role === 'kustomization' || role === 'configuration',
  });
}
