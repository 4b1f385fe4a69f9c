import {
  type ApplicationView,
  conditionText,
  type HistoryView,
  operationText,
  shortRevision,
  waitingForText,
} from './application-view.js';
import { html, pathSegment, type SafeHtml } from './html.js';
import type { ResourceTree, ResourceTreeNode } from './resource-tree.js';

/** Paths the web view serves; pages link only through these. */
export const WEB_PATHS = {
  list: '/',
  script: '/web/assets/web-view.js',
  style: '/web/assets/web-view.css',
  events: '/web/events',
  app: (namespace: string, name: string) => `/applications/${pathSegment(namespace)}/${pathSegment(name)}`,
  diff: (namespace: string, name: string, resourceKey: string) =>
    `${WEB_PATHS.app(namespace, name)}/diff?resource=${encodeURIComponent(resourceKey)}`,
  rollback: (namespace: string, name: string) => `${WEB_PATHS.app(namespace, name)}/rollback`,
  sync: (namespace: string, name: string) => `${WEB_PATHS.app(namespace, name)}/sync`,
  refresh: (namespace: string, name: string) => `${WEB_PATHS.app(namespace, name)}/refresh`,
  login: '/login',
  logout: '/logout',
};

/** The form field of the CSRF token (see `auth/csrf.ts`). */
export const CSRF_FIELD_NAME = '_csrf';

/** Who is logged in, for the page header and the forms' CSRF token. */
export interface SessionView {
  /** The user's name (TokenReview's `username`). */
  username: string;
  /** The CSRF token of the session; undefined for an API client (no forms to protect). */
  csrfToken: string | undefined;
}

/** The hidden field that carries the session's CSRF token in a form. */
export function csrfField(session: SessionView | undefined): SafeHtml | null {
  return session?.csrfToken
    ? html`<input type="hidden" name="${CSRF_FIELD_NAME}" value="${session.csrfToken}">`
    : null;
}

/** What every page's frame needs. */
export interface LayoutOptions {
  /** The product name in the header and title. */
  brand: string;
  /** The page's title (before the brand). */
  title: string;
  /** The Server-Sent Events URL the page listens to, if it updates live. */
  events?: string | undefined;
  /** Breadcrumbs after the brand. */
  crumbs?: { label: string; href?: string | undefined }[] | undefined;
  /** The logged-in user: named in the header, with a logout button. */
  session?: SessionView | undefined;
}

function sessionHtml(session: SessionView | undefined): SafeHtml | null {
  if (!session) return null;
  return html`<span class="session"><span class="user" id="current-user">${session.username}</span>${
    session.csrfToken
      ? html` <form method="post" action="${WEB_PATHS.logout}" class="logout">${csrfField(session)}<button type="submit" id="logout">Log out</button></form>`
      : null
  }</span>`;
}

/** The frame of every page: head, header with breadcrumbs, and the `main` the script refreshes. */
export function layout(options: LayoutOptions, body: SafeHtml): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · ${options.brand}</title>
<link rel="stylesheet" href="${WEB_PATHS.style}">
<script src="${WEB_PATHS.script}" defer></script>
</head>
<body data-events="${options.events ?? ''}">
<header class="top">
<nav aria-label="breadcrumbs"><a class="brand" href="${WEB_PATHS.list}">${options.brand}</a>${(
    options.crumbs ?? []
  ).map(
    (c) =>
      html` <span class="sep">/</span> ${c.href ? html`<a href="${c.href}">${c.label}</a>` : html`<span>${c.label}</span>`}`,
  )}</nav>
${options.events ? html`<span class="live" id="live-status" data-state="connecting" title="live updates">connecting…</span>` : null}
${sessionHtml(options.session)}
</header>
<main>
${body}
</main>
</body>
</html>
`;
}

/** A sync status badge. */
export function syncBadgeHtml(status: string): SafeHtml {
  return html`<span class="badge sync-${status}" data-field="sync">${status}</span>`;
}

/** A health status badge, with the health message as its tooltip. */
export function healthBadgeHtml(status: string | undefined, message?: string | undefined): SafeHtml {
  if (status === undefined) return html`<span class="badge health-none" data-field="health"></span>`;
  return html`<span class="badge health-${status}" data-field="health" title="${message ?? ''}">${status}</span>`;
}

function sourceText(app: ApplicationView): string {
  return `${app.repoURL ?? '?'}${app.path ? ` / ${app.path}` : ''} @ ${app.targetRevision}`;
}

function destinationText(app: ApplicationView): string {
  return `${app.destination.cluster}${app.destination.namespace ? ` / ${app.destination.namespace}` : ''}`;
}

function policyText(app: ApplicationView): string {
  if (!app.automated) return 'Manual';
  const extras = [app.automated.prune ? 'Prune' : '', app.automated.selfHeal ? 'Self Heal' : ''].filter(
    Boolean,
  );
  return `Automated${extras.length > 0 ? ` (${extras.join(', ')})` : ''}`;
}

/** The list of Applications. */
export function applicationListPage(
  apps: readonly ApplicationView[],
  options: { brand: string; namespaces: readonly string[] | undefined; session?: SessionView | undefined },
): SafeHtml {
  const counts = new Map<string, number>();
  for (const a of apps) counts.set(a.sync, (counts.get(a.sync) ?? 0) + 1);
  const scope = options.namespaces ? `namespaces ${options.namespaces.join(', ')}` : 'all namespaces';
  const rows = apps.map(
    (a) => html`<tr data-app="${a.key}">
<td><a href="${WEB_PATHS.app(a.namespace, a.name)}" class="app-name">${a.name}</a></td>
<td>${a.namespace}</td>
<td>${a.project}</td>
<td class="source">${sourceText(a)}</td>
<td>${destinationText(a)}</td>
<td>${syncBadgeHtml(a.sync)} <code data-field="revision">${shortRevision(a.revision)}</code></td>
<td>${healthBadgeHtml(a.health, a.healthMessage)}</td>
<td data-field="operation">${operationText(a)}</td>
</tr>`,
  );
  const body = html`<h1>Applications</h1>
<p class="summary">${apps.length} ${apps.length === 1 ? 'application' : 'applications'} in ${scope}${[
    ...counts,
  ]
    .sort()
    .map(([s, n]) => html` · ${n} ${s}`)}</p>
${
  apps.length === 0
    ? html`<p class="empty" id="app-list">No Applications yet. Create one with <code>gitops-kit-operator app create</code> or <code>kubectl apply</code>.</p>`
    : html`<table class="apps" id="app-list">
<thead><tr><th>Name</th><th>Namespace</th><th>Project</th><th>Source</th><th>Destination</th><th>Sync</th><th>Health</th><th>Operation</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`
}`;
  return layout(
    {
      brand: options.brand,
      title: 'Applications',
      events: WEB_PATHS.events,
      crumbs: [{ label: 'Applications' }],
      session: options.session,
    },
    body,
  );
}

function treeNodeHtml(app: ApplicationView, node: ResourceTreeNode, withDiff: boolean): SafeHtml {
  const diffLink =
    withDiff && node.managed && node.sync === 'OutOfSync'
      ? html` <a class="diff-link" href="${WEB_PATHS.diff(app.namespace, app.name, node.key)}">diff</a>`
      : null;
  const pruning = node.managed?.requiresPruning ? html` <span class="tag">requires pruning</span>` : null;
  const identity = node.managed ? html`data-resource="${node.key}"` : html`data-child="${node.key}"`;
  return html`<li>
<div class="node${node.managed ? ' managed' : ''}" ${identity}>
<span class="kind">${node.kind}</span> <span class="name">${node.name}</span>${
    node.namespace && node.namespace !== app.destination.namespace
      ? html` <span class="ns">(${node.namespace})</span>`
      : null
  }
${node.sync ? syncBadgeHtml(node.sync) : null} ${healthBadgeHtml(node.health, node.message)}${pruning}${diffLink}
<span class="message" data-field="message">${node.message}</span>
</div>
${node.children.length > 0 ? html`<ul>${node.children.map((c) => treeNodeHtml(app, c, withDiff))}</ul>` : null}
</li>`;
}

function historyRow(
  app: ApplicationView,
  h: HistoryView,
  current: boolean,
  canRollback: boolean,
  session: SessionView | undefined,
): SafeHtml {
  const button = canRollback
    ? html`<form method="post" action="${WEB_PATHS.rollback(app.namespace, app.name)}" class="rollback" data-confirm="${`Roll back ${app.name} to history id ${h.id} (${shortRevision(h.revision)})? Automated sync will be disabled.`}">
${csrfField(session)}<input type="hidden" name="id" value="${h.id}">
<label class="prune"><input type="checkbox" name="prune" value="true"> prune</label>
<button type="submit" data-rollback="${h.id}"${app.pendingOperation ? html` disabled` : null}>Rollback</button>
</form>`
    : null;
  return html`<tr data-history="${h.id}"${current ? html` class="current"` : null}>
<td>${h.id}</td>
<td><code title="${h.revision}">${shortRevision(h.revision)}</code></td>
<td><time datetime="${h.deployedAt ?? ''}">${h.deployedAt ?? ''}</time></td>
<td>${h.targetRevision ?? ''}</td>
<td>${h.path ?? ''}</td>
<td>${h.initiatedBy ?? ''}</td>
<td>${current ? html`<span class="tag">current</span>` : button}</td>
</tr>`;
}

/** A notice shown at the top of an application page. */
export interface Notice {
  /** `info` or `error`. */
  kind: 'info' | 'error';
  /** The text. */
  text: string;
}

/** The page of one Application: summary, conditions, resource tree and history. */
export function applicationPage(
  app: ApplicationView,
  tree: ResourceTree,
  options: {
    brand: string;
    withDiff: boolean;
    readOnly: boolean;
    notice?: Notice | undefined;
    session?: SessionView | undefined;
  },
): SafeHtml {
  const latest = app.history.reduce((max, h) => Math.max(max, h.id), -1);
  const conditions = app.conditions.filter((c) => c.status === 'True');
  const history = [...app.history].sort((a, b) => b.id - a.id);
  const body = html`${
    options.notice
      ? html`<p class="notice notice-${options.notice.kind}" role="status">${options.notice.text}</p>`
      : null
  }
<section class="app" data-app="${app.key}" data-history-ids="${app.history.map((h) => h.id).join(',')}">
<h1>${app.name} <small>${app.namespace}</small></h1>
<p class="status-line">${syncBadgeHtml(app.sync)} <code data-field="revision" title="${app.revision ?? ''}">${shortRevision(app.revision)}</code> ${healthBadgeHtml(app.health, app.healthMessage)} <span class="health-message" data-field="health-message">${app.healthMessage ?? ''}</span></p>
<p class="operation" data-field="operation">${operationText(app)}</p>
${options.readOnly ? null : actionsHtml(app, options.session)}
<dl class="details">
<dt>Project</dt><dd>${app.project}</dd>
<dt>Repository</dt><dd>${app.repoURL ?? ''}</dd>
<dt>Path</dt><dd>${app.path ?? ''}</dd>
<dt>Target</dt><dd>${app.targetRevision}</dd>
<dt>Destination</dt><dd>${destinationText(app)}</dd>
<dt>Sync policy</dt><dd>${policyText(app)}</dd>
${app.generatedBy === undefined ? null : html`<dt>Generated by</dt><dd data-field="generated-by">ApplicationSet ${app.generatedBy}</dd>`}
${
  app.dependsOn.length === 0
    ? null
    : html`<dt>Depends on</dt><dd>${app.dependsOn.join(', ')}</dd>
<dt>Waiting for</dt><dd data-field="waiting-for">${waitingForText(app)}</dd>`
}
<dt>Reconciled</dt><dd><time datetime="${app.reconciledAt ?? ''}">${app.reconciledAt ?? 'never'}</time></dd>
</dl>
<ul class="conditions" data-field="conditions">${conditions.map((c) => html`<li>${conditionText(c)}</li>`)}</ul>
<h2>Resources</h2>
${
  tree.roots.length === 0
    ? html`<p class="empty">No resources yet.</p>`
    : html`<ul class="tree" id="resource-tree">${tree.roots.map((n) => treeNodeHtml(app, n, options.withDiff))}</ul>`
}
${tree.truncated ? html`<p class="warning">The tree is cut: too many child objects.</p>` : null}
${tree.warnings.map((w) => html`<p class="warning">${w}</p>`)}
<h2>History</h2>
${
  history.length === 0
    ? html`<p class="empty">No syncs yet.</p>`
    : html`<table class="history" id="history">
<thead><tr><th>ID</th><th>Revision</th><th>Deployed</th><th>Target</th><th>Path</th><th>By</th><th></th></tr></thead>
<tbody>
${history.map((h) => historyRow(app, h, h.id === latest, !options.readOnly, options.session))}
</tbody>
</table>`
}
</section>`;
  return layout(
    {
      brand: options.brand,
      title: app.name,
      events: `${WEB_PATHS.events}?app=${encodeURIComponent(app.key)}`,
      crumbs: [{ label: 'Applications', href: WEB_PATHS.list }, { label: `${app.namespace}/${app.name}` }],
      session: options.session,
    },
    body,
  );
}

// Sync and refresh, for a user who may update the Application.
function actionsHtml(app: ApplicationView, session: SessionView | undefined): SafeHtml {
  const disabled = app.pendingOperation ? html` disabled` : null;
  return html`<div class="actions">
<form method="post" action="${WEB_PATHS.sync(app.namespace, app.name)}" class="sync" data-confirm="${`Sync ${app.name} to ${app.targetRevision}?`}">
${csrfField(session)}<label class="prune"><input type="checkbox" name="prune" value="true"> prune</label>
<button type="submit" data-action="sync"${disabled}>Sync</button>
</form>
<form method="post" action="${WEB_PATHS.refresh(app.namespace, app.name)}" class="refresh">
${csrfField(session)}<label class="hard"><input type="checkbox" name="hard" value="true"> hard</label>
<button type="submit" data-action="refresh"${disabled}>Refresh</button>
</form>
</div>`;
}

function diffLineClass(line: string): string {
  if (line.startsWith('+++') || line.startsWith('---')) return 'head';
  if (line.startsWith('@@')) return 'hunk';
  if (line.startsWith('+')) return 'add';
  if (line.startsWith('-')) return 'del';
  return 'ctx';
}

/** The diff of one resource of an Application. `diff` undefined: no diff is available. */
export function diffPage(
  app: ApplicationView,
  resource: { key: string; kind: string; name: string; namespace: string },
  diff: string | undefined,
  options: { brand: string; session?: SessionView | undefined },
): SafeHtml {
  // A provider may colour its output for terminals; a page colours by line instead.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes start with ESC.
  const text = diff?.replace(/\u001b\[[0-9;]*m/g, '');
  const lines = text === undefined || text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const title = `${resource.kind}/${resource.namespace ? `${resource.namespace}/` : ''}${resource.name}`;
  const body = html`<h1>Diff of ${title}</h1>
<p><a href="${WEB_PATHS.app(app.namespace, app.name)}">Back to ${app.name}</a> · live (−) against desired (+); Secret values are masked.</p>
${
  text === undefined
    ? html`<p class="empty">No diff is available for this resource.</p>`
    : lines.length === 0
      ? html`<p class="empty">No differences.</p>`
      : html`<pre class="diff" id="diff">${lines.map((l) => html`<span class="${diffLineClass(l)}">${l}</span>\n`)}</pre>`
}`;
  return layout(
    {
      brand: options.brand,
      title: `Diff ${title}`,
      crumbs: [
        { label: 'Applications', href: WEB_PATHS.list },
        { label: `${app.namespace}/${app.name}`, href: WEB_PATHS.app(app.namespace, app.name) },
        { label: `diff ${title}` },
      ],
      session: options.session,
    },
    body,
  );
}

/** A page that says what went wrong. */
export function errorPage(
  status: number,
  message: string,
  options: { brand: string; session?: SessionView | undefined },
): SafeHtml {
  return layout(
    {
      brand: options.brand,
      title: `Error ${status}`,
      crumbs: [{ label: 'Applications', href: WEB_PATHS.list }],
      session: options.session,
    },
    html`<h1>${status === 404 ? 'Not found' : `Error ${status}`}</h1><p class="notice notice-error">${message}</p><p><a href="${WEB_PATHS.list}">All applications</a></p>`,
  );
}

/** The login page: a token (a ServiceAccount's, `kubectl create token`, or an OIDC id token). */
export function loginPage(options: { brand: string; next: string; notice?: Notice | undefined }): SafeHtml {
  const body = html`<h1>Log in</h1>
${options.notice ? html`<p class="notice notice-${options.notice.kind}" role="alert" id="login-notice">${options.notice.text}</p>` : null}
<form method="post" action="${WEB_PATHS.login}" class="login" id="login-form">
<input type="hidden" name="next" value="${options.next}">
<label for="token">Bearer token</label>
<input type="password" name="token" id="token" autocomplete="off" required spellcheck="false">
<button type="submit" id="login">Log in</button>
</form>
<p class="hint">A token the cluster accepts, e.g. <code>kubectl create token NAME -n NAMESPACE</code>. What you may see and do follows its RBAC on <code>applications.gitops-kit.dev</code>. The token is kept in an HttpOnly cookie until you log out or close the browser.</p>`;
  return layout({ brand: options.brand, title: 'Log in', crumbs: [{ label: 'Log in' }] }, body);
}
