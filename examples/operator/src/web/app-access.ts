import type { KubeObject } from '@gitops-kit/core';
import { isGitOpsError, NotFoundError } from '@gitops-kit/core';
import { APPLICATION_API_VERSION, APPLICATION_KIND } from '../application-schema.js';
import { AuthorizationError, type Principal, type ResourceAccess } from '../auth/index.js';
import { type ApplicationView, applicationView } from './application-view.js';
import { APPLICATIONS, applicationRef, inScope, type WebContext } from './web-context.js';

/** Out of scope: 404, whatever the user may do (another operator's Applications). */
export function checkScope(ctx: WebContext, namespace: string, name: string): void {
  if (!inScope(ctx, namespace)) {
    throw new NotFoundError(`Application ${namespace}/${name} is not in the namespaces this view shows`);
  }
}

/** 404 out of scope; 403 unless the user may `verb` the Application (asked before it is read, so a 403 says nothing of whether it exists). */
export async function authorizeApp(
  ctx: WebContext,
  principal: Principal,
  verb: string,
  namespace: string,
  name: string,
): Promise<void> {
  checkScope(ctx, namespace, name);
  await ctx.access.require(principal, { ...APPLICATIONS, verb, namespace, name });
}

/** `update` or `patch`: either lets a user set `operation` through the API themselves. */
export async function canWrite(
  ctx: WebContext,
  principal: Principal,
  namespace: string,
  name: string,
): Promise<boolean> {
  for (const verb of ['update', 'patch']) {
    if ((await ctx.access.can(principal, { ...APPLICATIONS, verb, namespace, name })).allowed) return true;
  }
  return false;
}

/** 404 out of scope; 403 unless the user may `update` or `patch` the Application. */
export async function authorizeWrite(
  ctx: WebContext,
  principal: Principal,
  namespace: string,
  name: string,
): Promise<void> {
  checkScope(ctx, namespace, name);
  if (!(await canWrite(ctx, principal, namespace, name))) {
    const denied: ResourceAccess = { ...APPLICATIONS, verb: 'update', namespace, name };
    throw new AuthorizationError(
      `${APPLICATIONS.resource}.${APPLICATIONS.group} "${name}" is forbidden: User "${principal.user.username}" cannot update or patch resource "${denied.resource}" in API group "${denied.group}" in the namespace "${namespace}"`,
    );
  }
}

/** Reads an Application of the view's scope (404 when it is out of scope or missing). */
export async function getApplication(ctx: WebContext, namespace: string, name: string): Promise<KubeObject> {
  checkScope(ctx, namespace, name);
  try {
    return await ctx.client.get(applicationRef(namespace, name));
  } catch (err) {
    if (isGitOpsError(err, 'NOT_FOUND'))
      throw new NotFoundError(`Application ${namespace}/${name} not found`);
    throw err;
  }
}

/**
 * The namespaces whose Applications the user may list: `all` when they may list them across
 * namespaces (and the view shows every namespace), else those of the view's namespaces (or of
 * the namespaces that have Applications) where they may. A 403 when there is none.
 */
export async function visibleNamespaces(
  ctx: WebContext,
  principal: Principal,
): Promise<{ all: true } | { all: false; namespaces: string[] }> {
  const list = (namespace: string) => ctx.access.can(principal, { ...APPLICATIONS, verb: 'list', namespace });
  let candidates: string[];
  if (ctx.namespaces === undefined) {
    if ((await list('')).allowed) return { all: true };
    const apps = await ctx.client.listAll(APPLICATION_API_VERSION, APPLICATION_KIND);
    candidates = [...new Set(apps.items.map((a) => a.metadata.namespace ?? ''))].sort();
  } else {
    candidates = ctx.namespaces;
  }
  const decisions = await Promise.all(candidates.map((ns) => list(ns)));
  const allowed = candidates.filter((_, i) => decisions[i]?.allowed);
  if (allowed.length === 0) {
    throw new AuthorizationError(
      `${APPLICATIONS.resource}.${APPLICATIONS.group} is forbidden: User "${principal.user.username}" cannot list resource "${APPLICATIONS.resource}" in API group "${APPLICATIONS.group}" in ${
        ctx.namespaces ? `the namespaces ${ctx.namespaces.join(', ')}` : 'any namespace that has Applications'
      }`,
    );
  }
  return { all: false, namespaces: allowed };
}

/** The Applications of the namespaces the user may see, sorted by namespace and name. */
export async function listApplications(
  ctx: WebContext,
  visible: { all: true } | { all: false; namespaces: string[] },
): Promise<ApplicationView[]> {
  const scopes = visible.all ? (ctx.namespaces ?? [undefined]) : visible.namespaces;
  const lists = await Promise.all(
    scopes.map((namespace) => ctx.client.listAll(APPLICATION_API_VERSION, APPLICATION_KIND, { namespace })),
  );
  return lists
    .flatMap((l) => l.items)
    .map((a) => applicationView(a))
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}
