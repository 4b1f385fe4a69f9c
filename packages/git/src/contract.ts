/**
 * @packageDocumentation
 * @gitops-kit/git/contract: the suite every `GitBackend` must pass (the built-in JavaScript and
 * native-git backends do), for users who write their own. It fetches from a real git server: pass
 * testkit's `startGitServer`.
 */
export {
  type ContractGitServer,
  type ContractRepository,
  type GitBackendContractOptions,
  type GitBackendFactory,
  gitBackendContract,
} from './contract/git-backend.js';
