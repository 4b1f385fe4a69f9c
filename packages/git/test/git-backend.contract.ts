import { startGitServer } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitBackendContract as exportedContract, type GitBackendFactory } from '../src/contract.js';

export type { GitBackendFactory } from '../src/contract.js';

/**
 * The exported GitBackend contract (@gitops-kit/git/contract) registered with vitest, against
 * testkit's native `git http-backend` server.
 */
export function gitBackendContract(name: string, factory: GitBackendFactory): void {
  exportedContract(
    { describe, it, expect, beforeAll, afterAll },
    { name, factory, startServer: startGitServer },
  );
}
