import type { ServerResponse } from 'node:http';
import { NotFoundError, type ObjectKey, parseObjectKey, ValidationError } from '@gitops-kit/core';
import type { Principal } from '../auth/index.js';
import { authorizeApp, canWrite, getApplication } from './app-access.js';
import { applicationView } from './application-view.js';
import type { SafeHtml } from './html.js';
import { applicationPage, diffPage, type Notice } from './pages.js';
import { buildResourceTree, type ResourceTree } from './resource-tree.js';
import { sendHtml } from './responses.js';
import { sessionOf, type WebContext } from './web-context.js';

/** The page of one Application: its resources as a tree, its history, and the buttons the user may use. */
export async function renderApplication(
  ctx: WebContext,
  principal: Principal,
  namespace: string,
  name: string,
  notice: Notice | undefined,
): Promise<SafeHtml> {
  await authorizeApp(ctx, principal, 'get', namespace, name);
  const app = await getApplication(ctx, namespace, name);
  const view = applicationView(app);
  const writable = ctx.options.readOnly !== true && (await canWrite(ctx, principal, namespace, name));
  let tree: ResourceTree;
  try {
    const destination = ctx.options.destinationClient ? await ctx.options.destinationClient(app) : ctx.client;
    tree = await buildResourceTree(destination, view.resources, { childKinds: ctx.options.childKinds });
  } catch (err) {
    // The page still shows what the Application's status says.
    const reason = err instanceof Error ? err.message : String(err);
    tree = {
      ...(await buildResourceTree(ctx.client, view.resources, { childKinds: [] })),
      warnings: [`cannot reach the destination cluster: ${reason}`],
    };
  }
  return applicationPage(view, tree, {
    brand: ctx.brand,
    withDiff: ctx.options.diffProvider !== undefined,
    readOnly: !writable,
    notice,
    session: sessionOf(principal),
  });
}

/** The diff page of one managed resource of an Application. */
export async function serveDiff(
  ctx: WebContext,
  principal: Principal,
  res: ServerResponse,
  url: URL,
  namespace: string,
  name: string,
): Promise<void> {
  const provider = ctx.options.diffProvider;
  if (!provider) throw new NotFoundError('this operator shows no diffs');
  await authorizeApp(ctx, principal, 'get', namespace, name);
  const app = await getApplication(ctx, namespace, name);
  const view = applicationView(app);
  const text = url.searchParams.get('resource') ?? '';
  let key: ObjectKey;
  try {
    key = parseObjectKey(text);
  } catch {
    throw new ValidationError(`"${text}" is not a resource key`, { path: 'resource' });
  }
  const resource = view.resources.find((r) => r.key === text);
  if (!resource) throw new NotFoundError(`${text} is not a resource of Application ${view.key}`);
  const diff = await provider(app, key);
  sendHtml(res, 200, diffPage(view, resource, diff, { brand: ctx.brand, session: sessionOf(principal) }));
}
