/**
 * @packageDocumentation
 * @gitops-kit/core/contract: the suite every `ReadonlyFileSystem` implementation must pass, and the
 * test functions contract suites take (vitest's or Jest's), for users who write their own.
 */

export {
  type ContractFileSystem,
  type ContractFiles,
  type ReadonlyFileSystemContractOptions,
  readonlyFileSystemContract,
} from './contract/readonly-file-system.js';
export type {
  ContractAssertion,
  ContractAsyncAssertion,
  ContractExpect,
  ContractTestApi,
} from './contract/test-api.js';
