import type { ClusterClient, KubeClusterClientOptions } from '@gitops-kit/cluster';
import { KubeClusterClient } from '@gitops-kit/cluster';
import { type KubeObject, NotFoundError, ValidationError } from '@gitops-kit/core';
import { normalizeRepoURL } from './repo-url.js';

/** The label that marks a Secret as a destination cluster. */
export const CLUSTER_SECRET_LABEL = 'gitops-kit.dev/secret-type';
/** The label value of a destination-cluster Secret. */
export const CLUSTER_SECRET_TYPE = 'cluster';
/** The server URL that names the cluster the operator runs in, as in Argo CD. */
export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';
/** The destination name of the cluster the operator runs in. */
export const IN_CLUSTER_NAME = 'in-cluster';

/** Options of {@link ClusterRegistry}. */
export interface ClusterRegistryOptions {
  /** The cluster the operator runs in (and reads cluster Secrets from). */
  local: ClusterClient;
  /** The namespace of cluster Secrets. */
  namespace: string;
  /** Options of the clients made for remote clusters. */
  clientOptions?: KubeClusterClientOptions | undefined;
}

interface Remote {
  name: string;
  server: string;
  resourceVersion: string;
  client: KubeClusterClient;
}

function decode(secret: KubeObject, key: string): string | undefined {
  const data = secret.data as Record<string, string> | undefined;
  const stringData = secret.stringData as Record<string, string> | undefined;
  if (stringData?.[key] !== undefined) return stringData[key];
  const b64 = data?.[key];
  return b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString('utf8');
}

function sameServer(a: string, b: string): boolean {
  return (
    normalizeRepoURL(a).toLowerCase() === normalizeRepoURL(b).toLowerCase() &&
    a.split(':')[0] === b.split(':')[0]
  );
}

/**
 * Resolves an Application's destination to a client: the operator's own cluster for
 * `https://kubernetes.default.svc` or `in-cluster` (or no destination cluster at all), otherwise the
 * cluster of a Secret labelled `gitops-kit.dev/secret-type: cluster` in the operator's namespace,
 * matched by its `name` or `server` key, with credentials in its `kubeconfig` key. Clients are
 * cached until the Secret changes. Errors never quote the Secret's contents.
 */
export class ClusterRegistry {
  private readonly options: ClusterRegistryOptions;
  private readonly remotes = new Map<string, Remote>();

  constructor(options: ClusterRegistryOptions) {
    this.options = options;
  }

  /** The client for `destination`. Throws a `NotFoundError` naming the destination when none matches. */
  async clientFor(destination: {
    server?: string | undefined;
    name?: string | undefined;
  }): Promise<ClusterClient> {
    const { server, name } = destination;
    if (server && name) {
      throw new ValidationError('set destination.server or destination.name, not both', {
        path: 'spec.destination',
      });
    }
    if ((!server && !name) || name === IN_CLUSTER_NAME || (server && sameServer(server, IN_CLUSTER_SERVER))) {
      return this.options.local;
    }
    const secrets = await this.options.local.listAll('v1', 'Secret', {
      namespace: this.options.namespace,
      labelSelector: `${CLUSTER_SECRET_LABEL}=${CLUSTER_SECRET_TYPE}`,
    });
    for (const secret of secrets.items) {
      const secretName = decode(secret, 'name') ?? secret.metadata.name ?? '';
      const secretServer = decode(secret, 'server') ?? '';
      const matches = name ? secretName === name : secretServer !== '' && sameServer(secretServer, server!);
      if (!matches) continue;
      const id = `${secret.metadata.namespace}/${secret.metadata.name}`;
      const cached = this.remotes.get(id);
      if (cached && cached.resourceVersion === secret.metadata.resourceVersion) return cached.client;
      cached?.client.close();
      const kubeconfig = decode(secret, 'kubeconfig');
      if (!kubeconfig) {
        throw new ValidationError(`the cluster Secret ${id} has no kubeconfig key`, {
          path: 'data.kubeconfig',
        });
      }
      let client: KubeClusterClient;
      try {
        client = await KubeClusterClient.fromKubeconfig(kubeconfig, this.options.clientOptions);
      } catch {
        // The parser's message may quote the kubeconfig, credentials included: do not pass it on.
        throw new ValidationError(`the kubeconfig in the cluster Secret ${id} cannot be read`, {
          path: 'data.kubeconfig',
        });
      }
      this.remotes.set(id, {
        name: secretName,
        server: secretServer,
        resourceVersion: secret.metadata.resourceVersion ?? '',
        client,
      });
      return client;
    }
    const what = name ? `named "${name}"` : `with server ${server}`;
    throw new NotFoundError(
      `no destination cluster ${what}: add a Secret labelled ${CLUSTER_SECRET_LABEL}=${CLUSTER_SECRET_TYPE} in namespace ${this.options.namespace}`,
      { path: name ? 'spec.destination.name' : 'spec.destination.server' },
    );
  }

  /** Closes the remote clients. */
  close(): void {
    for (const r of this.remotes.values()) r.client.close();
    this.remotes.clear();
  }
}
