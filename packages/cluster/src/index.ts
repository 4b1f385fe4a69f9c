/**
 * @packageDocumentation
 * @gitops-kit/cluster: the cluster client. One small interface ({@link ClusterClient}), its
 * implementation over HTTP ({@link KubeClusterClient}), which takes kubeconfig loading and
 * authentication from @kubernetes/client-node and speaks plain JSON, and a list+watch cache built
 * on it ({@link Informer}).
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
  isSchemaRejection,
  KubeApiError,
  type KubeApiErrorInit,
  NoKindMatchError,
  type StatusCause,
} from './errors.js';
export {
  createInformer,
  Informer,
  type InformerHandlers,
  type InformerOptions,
  informerKeyOf,
  metadataOnly,
} from './informer.js';
export {
  KubeClusterClient,
  type KubeClusterClientOptions,
  type KubeConfigLike,
} from './kube-cluster-client.js';
export { RateLimiter, type RateLimitOptions } from './rate-limiter.js';

/** The version of this package. */
export const VERSION = '0.1.0';
