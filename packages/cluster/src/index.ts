/**
 * @packageDocumentation
 * @gitops-kit/cluster: the cluster client. One small interface ({@link ClusterClient}) and its
 * implementation over HTTP ({@link KubeClusterClient}), which takes kubeconfig loading and
 * authentication from @kubernetes/client-node and speaks plain JSON.
 */
export type {
  ApiResource,
  ApplyOptions,
  ClusterClient,
  DeleteOptions,
  ListOptions,
  ObjectList,
  ObjectRef,
  PatchOptions,
  PatchType,
  WatchEvent,
  WatchOptions,
  WriteOptions,
} from './cluster-client.js';
export {
  errorFromResponse,
  isAlreadyExists,
  isConflict,
  isNotFound,
  KubeApiError,
  type KubeApiErrorInit,
  NoKindMatchError,
  type StatusCause,
} from './errors.js';
export {
  KubeClusterClient,
  type KubeClusterClientOptions,
  type KubeConfigLike,
} from './kube-cluster-client.js';
export { RateLimiter, type RateLimitOptions } from './rate-limiter.js';

/** The version of this package. */
export const VERSION = '0.1.0';
