/**
 * @packageDocumentation
 * @gitops-kit/git/protocol: the parts of the git implementation below `GitSource` and the backends,
 * for tools that work at the protocol level: the smart HTTP client (discovery, ref listing, fetch),
 * the pack store, object parsing and hashing, and the file system over a commit's tree. Not needed
 * to fetch sources; less stable than the package's root.
 */
export { ChunkList } from './chunk-list.js';
export {
  type GitObject,
  type GitObjectType,
  type GitTreeEntry,
  hashObject,
  parseCommit,
  parseTree,
} from './git-objects.js';
export { ObjectStore, type ObjectStoreOptions } from './object-store.js';
export {
  type FetchPackRequest,
  type FetchResult,
  type ServerDiscovery,
  SmartHttpClient,
} from './smart-http.js';
export { type ObjectReader, treeFileSystem } from './tree-file-system.js';
