export { createFakeSsh, type FakeSsh } from './fake-ssh.js';
export {
  type GitServer,
  type GitServerOptions,
  type GitServerRequest,
  startGitServer,
} from './git-server.js';
export { runGit } from './run-git.js';
export { type CommitOptions, type TestFileContent, TestRepository } from './test-repository.js';
