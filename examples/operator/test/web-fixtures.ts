// Shared by the web view's tests (web-view.test.ts over HTTP, web-browser.test.ts in Chromium): a
// testkit cluster with the Application CRD, a Deployment the simulated controllers turn into a
// ReplicaSet and a Pod, a Secret, and Applications with status, served by the web view.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonObject, KubeObject, ObjectKey } from '@gitops-kit/core';
import { diff, renderDiff } from '@gitops-kit/diff';
import { eventually, type TestCluster } from '@gitops-kit/testkit';
import {
  AccessControl,
  APPLICATION_API_VERSION,
  APPLICATION_KIND,
  APPLICATION_WRITE_VERBS,
  applicationAccessRbac,
} from '../src/index.js';
import { createWebView, type WebView, type WebViewOptions } from '../src/web/index.js';
import { bearer, startApplicationCluster, TESTER_TOKEN } from './harness.js';

/** `alice` may read and act on the Applications of {@link APPS_NS}, and nothing else. */
export const ALICE_TOKEN = 'alice-token';
/** `bob` may only read the Applications of {@link APPS_NS}. */
export const BOB_TOKEN = 'bob-token';
/** `mallory` is a user of the cluster without any permission on Applications. */
export const MALLORY_TOKEN = 'mallory-token';

/** The namespace of the Applications. */
export const APPS_NS = 'gitops-kit';
/** The namespace the Applications deploy to. */
export const DEST_NS = 'guestbook';

const SHA0 = '9a1f6c2d4e5b7a8c9d0e1f2a3b4c5d6e7f8a9b0c';
const SHA1 = '0c7e4d3ab1c9f2f81c8a3e7f2f2a6e0d5b1c9a7e';
const SHA2 = 'b3d5e7f9a1c3e5f7b9d1f3a5c7e9b1d3f5a7c9e1';

/** Key strings of resources, as the web view names them. */
export const KEYS = {
  deployment: `apps/v1/Deployment/${DEST_NS}/guestbook-ui`,
  service: `~/v1/Service/${DEST_NS}/guestbook-ui`,
  secret: `~/v1/Secret/${DEST_NS}/guestbook-creds`,
};

/** The live Deployment (one replica). */
export function guestbookDeployment(replicas = 1): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'guestbook-ui', namespace: DEST_NS, labels: { app: 'guestbook-ui' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'guestbook-ui' } },
      template: {
        metadata: { labels: { app: 'guestbook-ui' } },
        spec: { containers: [{ name: 'ui', image: 'gcr.io/heptio-images/ks-guestbook-demo:0.2' }] },
      },
    },
  };
}

/** The live Secret. */
export function guestbookSecret(password: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'guestbook-creds', namespace: DEST_NS },
    type: 'Opaque',
    data: { password: Buffer.from(password).toString('base64') },
  };
}

function source(targetRevision: string, path: string): JsonObject {
  return { repoURL: 'https://git.example.com/team/guestbook.git', targetRevision, path };
}

/** `status` of the dev Application: Synced, Healthy, two history entries. */
export function devStatus(overrides: JsonObject = {}): JsonObject {
  return {
    observedGeneration: 1,
    reconciledAt: '2026-11-26T10:00:00Z',
    sync: { status: 'Synced', revision: SHA1 },
    health: { status: 'Healthy' },
    resources: [
      {
        group: 'apps',
        version: 'v1',
        kind: 'Deployment',
        namespace: DEST_NS,
        name: 'guestbook-ui',
        status: 'Synced',
        health: { status: 'Healthy' },
      },
      {
        group: '',
        version: 'v1',
        kind: 'Service',
        namespace: DEST_NS,
        name: 'guestbook-ui',
        status: 'Synced',
        health: { status: 'Healthy' },
      },
    ],
    operationState: {
      phase: 'Succeeded',
      message: 'successfully synced (all tasks run)',
      startedAt: '2026-11-26T09:00:00Z',
      finishedAt: '2026-11-26T09:00:05Z',
      revision: SHA1,
      operation: { sync: { revision: SHA1 }, initiatedBy: { automated: true } },
    },
    history: [
      {
        id: 0,
        revision: SHA0,
        deployedAt: '2026-11-25T09:00:00Z',
        source: source('main', 'dev'),
        initiatedBy: { automated: true },
      },
      {
        id: 1,
        revision: SHA1,
        deployedAt: '2026-11-26T09:00:05Z',
        source: source('main', 'dev'),
        initiatedBy: { automated: true },
      },
    ],
    ...overrides,
  };
}

/** `status` of the prod Application: OutOfSync, Progressing, with a hostile message. */
export function prodStatus(): JsonObject {
  return {
    sync: { status: 'OutOfSync', revision: SHA2 },
    health: { status: 'Progressing', message: 'Deployment guestbook-ui: <script>alert(1)</script> rolling' },
    resources: [
      {
        group: 'apps',
        version: 'v1',
        kind: 'Deployment',
        namespace: DEST_NS,
        name: 'guestbook-ui',
        status: 'OutOfSync',
        health: { status: 'Progressing', message: 'Waiting for rollout to finish' },
      },
      {
        group: '',
        version: 'v1',
        kind: 'Secret',
        namespace: DEST_NS,
        name: 'guestbook-creds',
        status: 'OutOfSync',
      },
    ],
    history: [
      { id: 0, revision: SHA0, deployedAt: '2026-11-25T12:00:00Z', source: source('v1.0.0', 'prod') },
    ],
  };
}

/** A running cluster with Applications and a web view serving them over HTTP. */
export interface WebFixture {
  /** The cluster. */
  cluster: TestCluster;
  /** The web view's base URL. */
  url: string;
  /** The view. */
  view: WebView;
  /** Calls made to the diff provider. */
  diffCalls: { app: string; resource: ObjectKey }[];
  /** fetch as the tester (`Authorization: Bearer`), or as the owner of `token`. */
  fetch(url: string, init?: RequestInit, token?: string): Promise<Response>;
  /** Creates an Application and writes its status. */
  createApp(name: string, namespace: string, spec: JsonObject, status?: JsonObject): Promise<KubeObject>;
  /** Reads an Application. */
  getApp(name: string, namespace?: string): Promise<KubeObject>;
  /** Replaces an Application's status (through the status subresource). */
  setStatus(name: string, status: JsonObject, namespace?: string): Promise<KubeObject>;
  /** Starts another web view over the same cluster (closed by `stop`). */
  startView(options: Partial<WebViewOptions>): Promise<{ url: string; view: WebView }>;
  /** Stops the servers, the views and the cluster. */
  stop(): Promise<void>;
}

async function serve(view: WebView): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    view.handle(req, res).then((handled) => {
      if (!handled) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not the web view\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** The spec of an Application. */
export function appSpec(path: string, automated: boolean): JsonObject {
  return {
    project: 'default',
    source: source(path === 'prod' ? 'v1.0.0' : 'main', path),
    destination: { server: 'https://kubernetes.default.svc', namespace: DEST_NS },
    ...(automated ? { syncPolicy: { automated: { prune: true, selfHeal: true } } } : {}),
  };
}

/**
 * Starts the cluster, creates the CRD, namespaces, the guestbook objects and two Applications
 * (`guestbook-dev` Synced/Healthy, `guestbook-prod` OutOfSync/Progressing) plus one in a namespace
 * the view does not show, and serves a web view of namespace `gitops-kit`.
 */
export async function startWebFixture(): Promise<WebFixture> {
  const cluster = await startApplicationCluster({
    tokens: {
      [ALICE_TOKEN]: { user: 'alice', rbac: true },
      [BOB_TOKEN]: { user: 'bob', rbac: true },
      [MALLORY_TOKEN]: { user: 'mallory', rbac: true },
    },
  });
  const client = cluster.client;
  for (const name of [APPS_NS, DEST_NS, 'elsewhere']) {
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  for (const [user, verbs] of [
    ['alice', APPLICATION_WRITE_VERBS],
    ['bob', ['get', 'list', 'watch']],
  ] as const) {
    for (const obj of applicationAccessRbac({
      name: `web-${user}`,
      namespace: APPS_NS,
      verbs,
      subjects: [{ kind: 'User', name: user }],
    })) {
      await client.create(obj);
    }
  }
  // One review cache for every view of the fixture, as one operator has.
  const access = new AccessControl({ client });
  await client.create(guestbookDeployment());
  await client.create({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'guestbook-ui', namespace: DEST_NS },
    spec: { selector: { app: 'guestbook-ui' }, ports: [{ port: 80, targetPort: 80 }] },
  });
  await client.create(guestbookSecret('hunter2-live'));

  const createApp = async (name: string, namespace: string, spec: JsonObject, status?: JsonObject) => {
    const created = await client.create({
      apiVersion: APPLICATION_API_VERSION,
      kind: APPLICATION_KIND,
      metadata: { name, namespace },
      spec,
    });
    return status ? client.updateStatus({ ...created, status }) : created;
  };
  const getApp = (name: string, namespace = APPS_NS) =>
    client.get({ apiVersion: APPLICATION_API_VERSION, kind: APPLICATION_KIND, namespace, name });
  const setStatus = async (name: string, status: JsonObject, namespace = APPS_NS) =>
    client.updateStatus({ ...(await getApp(name, namespace)), status });

  await createApp('guestbook-dev', APPS_NS, appSpec('dev', true), devStatus());
  await createApp('guestbook-prod', APPS_NS, appSpec('prod', false), prodStatus());
  await createApp('hidden', 'elsewhere', appSpec('dev', false), devStatus());

  // The diff an operator would supply: desired (from Git) against live, rendered by
  // @gitops-kit/diff, which masks Secret values.
  const desired: Record<string, KubeObject> = {
    [KEYS.deployment]: guestbookDeployment(3),
    [KEYS.secret]: guestbookSecret('hunter2-desired'),
  };
  const diffCalls: WebFixture['diffCalls'] = [];
  const servers: Server[] = [];
  const views: WebView[] = [];
  const startView = async (options: Partial<WebViewOptions>) => {
    const view = createWebView({
      client,
      access,
      namespaces: [APPS_NS],
      heartbeatMs: 60_000,
      diffProvider: async (app, resource) => {
        diffCalls.push({ app: `${app.metadata.namespace}/${app.metadata.name}`, resource });
        const key = `${resource.group || '~'}/${resource.version}/${resource.kind}/${resource.namespace}/${resource.name}`;
        const want = desired[key];
        if (!want) return undefined;
        const live = await client.get({
          apiVersion: want.apiVersion,
          kind: want.kind,
          namespace: resource.namespace,
          name: resource.name,
        });
        return renderDiff(diff(want, live), { color: true });
      },
      ...options,
    });
    const { url, server } = await serve(view);
    views.push(view);
    servers.push(server);
    return { url, view };
  };
  const { url, view } = await startView({});
  return {
    cluster,
    url,
    view,
    diffCalls,
    fetch: (target, init = {}, token = TESTER_TOKEN) =>
      fetch(target, {
        ...init,
        headers: { ...bearer(token), ...(init.headers as Record<string, string> | undefined) },
      }),
    createApp,
    getApp,
    setStatus,
    startView,
    stop: async () => {
      for (const v of views) await v.close();
      for (const s of servers) {
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
      await cluster.stop();
    },
  };
}

/** Waits until the Deployment's Pod is Running, so the tree has all three levels. */
export async function waitForPods(cluster: TestCluster): Promise<KubeObject[]> {
  return eventually(
    async () => {
      const pods = (await cluster.client.listAll('v1', 'Pod', { namespace: DEST_NS })).items;
      const running = pods.filter((p) => (p.status as { phase?: string } | undefined)?.phase === 'Running');
      return running.length > 0 ? running : undefined;
    },
    'a Running guestbook Pod',
    { timeoutMs: 10_000, intervalMs: 50 },
  );
}
