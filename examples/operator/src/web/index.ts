/**
 * The operator's web view: `createWebView` answers a request handler the operator's HTTP server
 * mounts under `/`, next to `/healthz`, `/metrics` and `/api/webhook`; every page and action is
 * authenticated and authorised by the cluster (see `../auth/`).
 */
export {
  type ApplicationView,
  applicationView,
  type HealthBadge,
  type LiveUpdate,
  liveUpdate,
  type ResourceView,
  type SyncBadge,
} from './application-view.js';
export { escapeHtml, html, SafeHtml } from './html.js';
export { ApplicationFeed, type ApplicationFeedOptions, type FeedEvent } from './live-feed.js';
export {
  describeOperationRequest,
  isOperationAction,
  OPERATION_ACTIONS,
  type OperationAction,
  type OperationRequest,
  parseOperationRequest,
  requestedJson,
  requestOperation,
} from './operation-requests.js';
export {
  buildResourceTree,
  type ChildKind,
  DEFAULT_CHILD_KINDS,
  type ResourceTree,
  type ResourceTreeNode,
  type ResourceTreeOptions,
} from './resource-tree.js';
export { isSameOriginRequest } from './same-origin.js';
export {
  type ActionRecorder,
  createWebView,
  type DiffProvider,
  type WebView,
  type WebViewOptions,
} from './web-view.js';
