import type { ServerResponse } from 'node:http';
import type { ClusterClient } from '@gitops-kit/cluster';
import { APPLICATION_API_VERSION, APPLICATION_KIND } from '../application-schema.js';
import type { AccessControl, Principal } from '../auth/index.js';
import type { ApplicationFeed } from './live-feed.js';
import type { SessionView } from './pages.js';
import type { WebViewOptions } from './web-options.js';

/** What every part of the web view shares: its options, clients, scope, feed and open streams. */
export interface WebContext {
  /** The view's options as given. */
  options: WebViewOptions;
  /** The cluster the Applications live in. */
  client: ClusterClient;
  /** Authentication and authorization of users. */
  access: AccessControl;
  /** Name in the page header. */
  brand: string;
  /** Namespaces whose Applications are shown; undefined for all. */
  namespaces: string[] | undefined;
  /** The shared watch of Applications that feeds the event streams. */
  feed: ApplicationFeed;
  /** The open event streams (ended at close). */
  streams: Set<ServerResponse>;
}

/** The resource RBAC checks name: `applications.gitops-kit.dev`. */
export const APPLICATIONS = { group: 'gitops-kit.dev', resource: 'applications' } as const;

/** True when the view shows Applications of `namespace`. */
export function inScope(ctx: WebContext, namespace: string): boolean {
  return ctx.namespaces === undefined || ctx.namespaces.includes(namespace);
}

/** The reference of an Application. */
export function applicationRef(namespace: string, name: string) {
  return { apiVersion: APPLICATION_API_VERSION, kind: APPLICATION_KIND, namespace, name };
}

/** What a page shows of the user's session. */
export function sessionOf(principal: Principal): SessionView {
  return { username: principal.user.username, csrfToken: principal.csrfToken };
}
