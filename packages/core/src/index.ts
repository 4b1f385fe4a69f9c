/**
 * @packageDocumentation
 * @gitops-kit/core: the object model and resource keys, multi-document YAML with positions and
 * limits, typed errors, and the read-only file-system interface with node fs and memfs adapters.
 */
export { abortableSleep } from './abortable-sleep.js';
export { apiGroupOf, formatApiVersion, type GroupVersion, parseApiVersion } from './api-version.js';
export { Backoff, type BackoffPolicy, backoffDelay, equalJitter } from './backoff.js';
export {
  applyBuiltinDefaults,
  BUILTIN_DEFAULTS,
  builtinDefaultRules,
  type DefaultRule,
  fillBuiltinDefaults,
  POD_SPEC_DEFAULTS,
  POD_SPEC_LOCATIONS,
  PVC_SPEC_DEFAULTS,
} from './builtin-defaults.js';
export { CLUSTER_SCOPED_KINDS, isClusterScopedKind } from './cluster-scoped.js';
export { confineFileSystem, isWithinRoot, RootConfinedResolver } from './confined-file-system.js';
export {
  type ErrorLocation,
  GitOpsError,
  type GitOpsErrorCode,
  type GitOpsErrorJSON,
  type GitOpsErrorOptions,
  isGitOpsError,
  NotFoundError,
  ParseError,
  PatchError,
  SecurityError,
  TimeoutError,
  ValidationError,
} from './errors.js';
export {
  DEFAULT_MAX_FILE_BYTES,
  type DirEntry,
  type FileStat,
  type FileType,
  pathExists,
  type ReadonlyFileSystem,
  type ReadTextOptions,
  readTextFile,
} from './file-system.js';
export {
  deepCopyJson,
  isJsonObject,
  type JsonCopyable,
  type JsonObject,
  type JsonValue,
  jsonEqual,
} from './json.js';
export {
  type Condition,
  type ConfigMap,
  type Container,
  type CustomResourceDefinition,
  type CustomResourceDefinitionSpec,
  type CustomResourceDefinitionStatus,
  type CustomResourceDefinitionVersion,
  type DaemonSet,
  type DaemonSetSpec,
  type DaemonSetStatus,
  type Deployment,
  type DeploymentSpec,
  type DeploymentStatus,
  isConfigMap,
  isCustomResourceDefinition,
  isDaemonSet,
  isDeployment,
  isKind,
  isNamespace,
  isSecret,
  isService,
  isStatefulSet,
  type Namespace,
  type PodSpec,
  type PodTemplateSpec,
  type Secret,
  type Service,
  type ServicePort,
  type ServiceSpec,
  type ServiceStatus,
  type StatefulSet,
  type StatefulSetSpec,
  type StatefulSetStatus,
} from './kinds.js';
export { isKubeObject, type KubeObject, type ObjectMeta, type OwnerReference } from './kube-object.js';
export {
  type LabelRequirement,
  type LabelSelector,
  type LabelSelectorExpression,
  type LabelSelectorLocation,
  type LabelSelectorOperator,
  labelSelectorRequirements,
  matchesLabelSelector,
  parseLabelSelector,
} from './label-selector.js';
export { createMemFileSystem, type FileTree, type MemoryVolume, memFileSystem } from './mem-file-system.js';
export { nodeFileSystem } from './node-file-system.js';
export { fromNodeLikeFs, type NodeLikePromisesFs } from './node-like-fs.js';
export { NotARegularFileError } from './not-a-regular-file-error.js';
export {
  apiVersionOfKey,
  describeObjectKey,
  formatObjectKey,
  groupKindKey,
  type ObjectKey,
  objectKeyOf,
  parseObjectKey,
  sameObject,
} from './object-key.js';
export { MissingNameError, type ObjectRef, refOf } from './object-ref.js';
export { countOf } from './plural.js';
export { resolveDirectory, resolvePath } from './resolve-path.js';
export {
  matchesAnchoredPattern,
  matchesTargetSelector,
  type TargetSelector,
  type TargetSelectorOptions,
  type TargetSubject,
} from './target-selector.js';

/** The version of this package. */
export const VERSION = '0.1.0';
export { compareKubeYamlKeys } from './yaml-key-order.js';
export { DEFAULT_YAML_LIMITS, type YamlLimits } from './yaml-limits.js';
export {
  formatYamlPath,
  isEmptyYamlDocument,
  type ParsedYamlStream,
  parseYaml,
  parseYamlDocuments,
  parseYamlStream,
  type YamlDocument,
  type YamlParseOptions,
  type YamlPath,
  type YamlValue,
} from './yaml-parse.js';
export {
  isAmbiguousPlainString,
  normalizeTimestamp,
  type PlainScalarValue,
  resolvePlainScalar,
} from './yaml-scalar.js';
export { formatKubeYamlNumber, stringifyKubeYaml, stringifyKubeYamlDocuments } from './yaml-stringify.js';
