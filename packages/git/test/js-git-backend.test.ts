import { createJsGitBackend } from '../src/git-backend.js';
import { diskStorage, memfsStorage, memoryStorage } from '../src/storage.js';
import { gitBackendContract } from './git-backend.contract.js';

gitBackendContract('js in memory', (remote) => createJsGitBackend({ remote, storage: memoryStorage() }));
gitBackendContract('js on memfs', (remote) => createJsGitBackend({ remote, storage: memfsStorage() }));
gitBackendContract('js on disk', (remote, dir) => createJsGitBackend({ remote, storage: diskStorage(dir) }));
