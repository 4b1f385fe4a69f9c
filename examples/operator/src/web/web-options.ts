import type { ClusterClient } from '@gitops-kit/cluster';
import type { KubeObject, ObjectKey } from '@gitops-kit/core';
import type { AccessControl, HostAllowlist } from '../auth/index.js';
import type { EventType } from '../event-recorder.js';
import type { Logger } from '../logger.js';
import type { ChildKind } from './resource-tree.js';

/**
 * Renders the diff of one managed resource of an Application (live against desired), Secret
 * values already masked (`renderDiff` of @gitops-kit/diff makes one); undefined when there is
 * none to show.
 */
export type DiffProvider = (app: KubeObject, resource: ObjectKey) => Promise<string | undefined>;

/** Where the web view records what users asked for (the operator's `EventRecorder`). */
export interface ActionRecorder {
  /** Records an Event about `object`. */
  record(object: KubeObject, type: EventType, reason: string, message: string): Promise<void>;
}

/** Options of {@link createWebView}. */
export interface WebViewOptions {
  /** The cluster the Applications live in (the operator's own client: reads and operation writes). */
  client: ClusterClient;
  /**
   * Who may see and do what: every page and action needs a bearer token (the login's session
   * cookie, or `Authorization: Bearer`) that TokenReview accepts, and the RBAC verb on
   * `applications.gitops-kit.dev` in the Application's namespace (`get`/`list` to read,
   * `update` or `patch` for sync, rollback and refresh), asked with SubjectAccessReview.
   */
  access: AccessControl;
  /** Host names the view answers to (DNS rebinding); default `localhost`, `127.0.0.1`, `[::1]`. */
  hosts?: HostAllowlist | undefined;
  /** Mark the session cookie `Secure` even over plain HTTP (TLS ends at a proxy that does not say so). */
  secureCookies?: boolean | undefined;
  /** Events about the operations users request (`OperationRequested`, naming the user). */
  events?: ActionRecorder | undefined;
  /** Where requested operations, logins and refusals are logged. */
  logger?: Logger | undefined;
  /** Namespaces whose Applications are shown; every namespace when absent. */
  namespaces?: readonly string[] | undefined;
  /** The diff of an OutOfSync resource; without it, pages link to no diff. */
  diffProvider?: DiffProvider | undefined;
  /** Show no sync, refresh or rollback buttons and refuse those actions, whoever asks. Default false. */
  readOnly?: boolean | undefined;
  /**
   * Origins besides the request's own `Host` a form may be posted from (the public origin when a
   * proxy rewrites `Host`), e.g. `https://gitops.example.com`.
   */
  allowedOrigins?: readonly string[] | undefined;
  /**
   * The client of an Application's destination cluster, where its resources and their children
   * live (e.g. `(app) => registry.clientFor(app.spec.destination)`). Default: `client`.
   */
  destinationClient?: ((app: KubeObject) => Promise<ClusterClient>) | undefined;
  /** Kinds looked up as children of managed resources. Default Deployment → ReplicaSet → Pod and Job → Pod. */
  childKinds?: readonly ChildKind[] | undefined;
  /** Name in the page header. Default `gitops-kit`. */
  brand?: string | undefined;
  /** Interval of keep-alive comments on event streams (proxies close idle streams). Default 15 s. */
  heartbeatMs?: number | undefined;
  /** Told of failures the view recovers from (a watch restarted, a page that failed): for logs. */
  onError?: ((error: unknown) => void) | undefined;
}
