/**
 * @packageDocumentation
 * @gitops-kit/diff: The three-way diff engine: desired, live and last-applied; normalisation, ignore rules, masked Secrets.
 */
export { computeChanges, type FieldChange } from './changes.js';
export {
  DEFAULT_MANAGER,
  type DiffOptions,
  type DiffResult,
  type DiffStrategy,
  diff,
  isBuiltinGroup,
  replayPatch,
} from './diff.js';
export {
  type DiffManyInput,
  type DiffManyItem,
  type DiffManyOptions,
  type DiffManyResult,
  type DiffManyStatus,
  diffMany,
} from './diff-many.js';
export {
  applyIgnoreRules,
  argoRuleMatches,
  type FluxIgnoreRule,
  fluxRuleMatches,
  type IgnoreDifferencesRule,
  type IgnoreOptions,
} from './ignore.js';
export { DEFAULT_JQ_TIMEOUT_MS, type JqOptions, runJq, stopJq } from './jq.js';
export {
  escapePointerToken,
  formatJsonPointer,
  getAtPointer,
  parseJsonPointer,
  removeAtPointer,
} from './json-pointer.js';
export {
  builtinListSchema,
  hasBuiltinListSchema,
  LIST_KEY_DEFAULTS,
  type ListSchema,
  type ListSemantics,
  type MergeFlavour,
} from './list-schema.js';
export {
  type FieldSet,
  isLeaf,
  listKeysOf,
  type ManagerSelector,
  ownedFields,
  parseFieldsV1,
  projectFields,
  removeFields,
  revertUnowned,
  unionFieldSets,
} from './managed-fields.js';
export { type HiddenSecrets, type HideSecretOptions, hideSecretData, isSecret } from './mask.js';
export { elementKey, type MergeOptions, mergeThreeWay } from './merge.js';
export {
  canonicalizeQuantities,
  dropEmpty,
  finalizeInPlace,
  finalizeObject,
  foldSecretStringData,
  kindId,
  LAST_APPLIED_ANNOTATION,
  type NormalizeOptions,
  normalizeInPlace,
  normalizeIntOrString,
  normalizeObject,
  type PathVisitor,
  type QuantityFieldDeclaration,
  SERVER_METADATA_FIELDS,
  sortEndpoints,
  visitPath,
} from './normalize.js';
export {
  canonicalQuantity,
  compareQuantities,
  formatQuantity,
  type ParsedQuantity,
  parseQuantity,
  type QuantityFormat,
} from './quantity.js';
export { type RenderDiffOptions, type RenderOptions, renderDiff, toSortedYaml } from './render.js';
export {
  type DiffManyFormat,
  type DiffManyJson,
  type DiffManyJsonItem,
  diffManyToJson,
  type RenderDiffManyOptions,
  renderDiffMany,
} from './render-diff-many.js';

/** The version of this package. */
export const VERSION = '0.1.0';
