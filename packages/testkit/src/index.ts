/**
 * @packageDocumentation
 * @gitops-kit/testkit: an in-memory Kubernetes API server with real semantics served over HTTP
 * ({@link startTestCluster}: kubectl and `KubeClusterClient` both work against it), simulated
 * controllers, fault injection, and a git server for tests.
 */
export { ApiStatusError } from './api-error.js';
export { type ControllerOptions, Controllers } from './controllers.js';
export { EMULATED_VERSION } from './discovery.js';
export {
  MutatingAdmission,
  type MutatingAdmissionRequest,
  type MutatingWebhook,
} from './engine/mutating-admission.js';
export type {
  DeleteOptions as EngineDeleteOptions,
  EngineOptions,
  FieldValidation,
  ListOptions as EngineListOptions,
  StoredEvent,
  WriteOptions as EngineWriteOptions,
} from './engine/options.js';
export { ApiEngine } from './engine.js';
export { type EventuallyCheck, type EventuallyOptions, eventually, type NotYet } from './eventually.js';
export { type FaultDecision, FaultInjector, type FaultRule, type RequestVerb } from './faults.js';
export { type TokenGrant, userOfGrant } from './http-server.js';
export { type AuthorizationDecision, RbacAuthorizer } from './rbac/authorizer.js';
export {
  type NonResourceAttributes,
  type PolicyRule,
  type RequestAttributes,
  type ResourceAttributes,
  ruleAllows,
  rulesOf,
} from './rbac/policy-rule.js';
export {
  AUTHENTICATED_GROUP,
  authenticatedGroups,
  MASTERS_GROUP,
  SERVICE_ACCOUNTS_GROUP,
  serviceAccountUsername,
  type UserInfo,
} from './rbac/user.js';
export { builtinResourceTypes, type ResourceType } from './resources.js';
export { type SchemaFinding, validateBuiltinObject } from './schema-validate.js';
export type { Scope } from './ssa.js';
export { createTestCertificate, type TestCertificate } from './test-certificate.js';
export { startTestCluster, type TestCluster, type TestClusterOptions } from './test-cluster.js';

/** The version of this package. */
export const VERSION = '0.1.0';
export {
  type CommitOptions,
  createFakeSsh,
  type FakeSsh,
  type GitServer,
  type GitServerOptions,
  type GitServerRequest,
  runGit,
  startGitServer,
  type TestFileContent,
  TestRepository,
} from './git-server/index.js';
