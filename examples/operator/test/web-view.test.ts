import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationAccessRbac, csrfTokenFor } from '../src/auth/index.js';
import { applicationView } from '../src/web/application-view.js';
import { buildResourceTree, escapeHtml, html } from '../src/web/index.js';
import { TESTER, TESTER_TOKEN } from './harness.js';
import {
  ALICE_TOKEN,
  APPS_NS,
  appSpec,
  DEST_NS,
  devStatus,
  KEYS,
  prodStatus,
  startWebFixture,
  type WebFixture,
  waitForPods,
} from './web-fixtures.js';

let fx: WebFixture;

beforeAll(async () => {
  fx = await startWebFixture();
  await waitForPods(fx.cluster);
});

afterAll(async () => {
  await fx?.stop();
});

/** The markup of the table row or section of one Application. */
function rowOf(page: string, key: string): string {
  const start = page.indexOf(`data-app="${key}"`);
  expect(start).toBeGreaterThan(0);
  const end = page.indexOf('</tr>', start);
  return page.slice(start, end < 0 ? undefined : end);
}

/** The markup of one tree node (its own line, not its children). */
function nodeOf(page: string, attr: string, key: string): string {
  const start = page.indexOf(`${attr}="${key}"`);
  expect(start, `${key} in the page`).toBeGreaterThan(0);
  return page.slice(start, page.indexOf('</div>', start));
}

async function post(
  path: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; location: string | undefined; text: string }> {
  // node:http rather than fetch: fetch sets its own Origin and Sec-Fetch-* headers. A browser's
  // POST: the tester's session cookie, and the session's CSRF token in the form.
  const url = new URL(path, fx.url);
  const form = `${body}&_csrf=${csrfTokenFor(TESTER_TOKEN)}`;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          cookie: `gitops-kit-session=${TESTER_TOKEN}`,
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, text }));
      },
    );
    req.on('error', reject);
    req.end(form);
  });
}

const sameOrigin = () => ({ origin: fx.url });

describe('the application list', () => {
  it('shows each Application of the namespaces it serves, with sync and health badges', async () => {
    const res = await fx.fetch(`${fx.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await res.text();
    const dev = rowOf(page, `${APPS_NS}/guestbook-dev`);
    expect(dev).toContain('class="badge sync-Synced" data-field="sync">Synced<');
    expect(dev).toContain('class="badge health-Healthy" data-field="health"');
    expect(dev).toContain('>0c7e4d3</code>');
    expect(dev).toContain(`href="/applications/${APPS_NS}/guestbook-dev"`);
    const prod = rowOf(page, `${APPS_NS}/guestbook-prod`);
    expect(prod).toContain('class="badge sync-OutOfSync" data-field="sync">OutOfSync<');
    expect(prod).toContain('class="badge health-Progressing" data-field="health"');
    expect(page).not.toContain('elsewhere/hidden');
    expect(page).toContain('2 applications in namespaces gitops-kit');
  });

  it('escapes what comes from the cluster', async () => {
    const page = await (await fx.fetch(`${fx.url}/`)).text();
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('is sent with a strict Content Security Policy', async () => {
    const res = await fx.fetch(`${fx.url}/applications`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('the application page', () => {
  it('shows the resources as a tree: Deployment → ReplicaSet → Pod, with status and messages', async () => {
    const res = await fx.fetch(`${fx.url}/applications/${APPS_NS}/guestbook-dev`);
    expect(res.status).toBe(200);
    const page = await res.text();
    const deployment = page.indexOf(`data-resource="${KEYS.deployment}"`);
    const rs = page.indexOf(`data-child="apps/v1/ReplicaSet/${DEST_NS}/guestbook-ui-`);
    const pod = page.indexOf(`data-child="~/v1/Pod/${DEST_NS}/guestbook-ui-`);
    const service = page.indexOf(`data-resource="${KEYS.service}"`);
    expect(deployment).toBeGreaterThan(0);
    expect(rs).toBeGreaterThan(deployment);
    expect(pod).toBeGreaterThan(rs);
    // Nested: a list opens between the Deployment and its ReplicaSet, and between it and its Pod.
    expect(page.slice(deployment, rs)).toContain('<ul>');
    expect(page.slice(rs, pod)).toContain('<ul>');
    expect(service).toBeGreaterThan(pod);
    expect(nodeOf(page, 'data-resource', KEYS.deployment)).toContain('sync-Synced');
    expect(nodeOf(page, 'data-resource', KEYS.deployment)).toContain('health-Healthy');
    const podNode = page.slice(pod, page.indexOf('</div>', pod));
    expect(podNode).toContain('<span class="kind">Pod</span>');
    expect(podNode).toContain('health-Healthy');
    expect(podNode).not.toContain('data-field="sync"');
  });

  it('shows the summary, the operation and the history with rollback buttons', async () => {
    const page = await (await fx.fetch(`${fx.url}/applications/${APPS_NS}/guestbook-dev`)).text();
    expect(page).toContain('Automated (Prune, Self Heal)');
    expect(page).toContain('sync Succeeded: successfully synced (all tasks run)');
    expect(page).toContain('data-history-ids="0,1"');
    // Rollback to any entry but the current one.
    expect(page).toContain('data-rollback="0"');
    expect(page).not.toContain('data-rollback="1"');
    expect(page).toMatch(/data-history="1" class="current"/);
  });

  it('links OutOfSync resources to their diff; the diff is escaped and Secret values are masked', async () => {
    const page = await (await fx.fetch(`${fx.url}/applications/${APPS_NS}/guestbook-prod`)).text();
    expect(nodeOf(page, 'data-resource', KEYS.deployment)).toContain('class="diff-link"');
    const dev = await (await fx.fetch(`${fx.url}/applications/${APPS_NS}/guestbook-dev`)).text();
    expect(dev).not.toContain('class="diff-link"');

    const diffUrl = `${fx.url}/applications/${APPS_NS}/guestbook-prod/diff?resource=${encodeURIComponent(KEYS.deployment)}`;
    const res = await fx.fetch(diffUrl);
    expect(res.status).toBe(200);
    const diffPage = await res.text();
    expect(diffPage).toContain('<span class="del">-  replicas: 1</span>');
    expect(diffPage).toContain('<span class="add">+  replicas: 3</span>');
    expect(diffPage).not.toContain('\u001b[');
    expect(fx.diffCalls.at(-1)).toEqual({
      app: `${APPS_NS}/guestbook-prod`,
      resource: {
        group: 'apps',
        version: 'v1',
        kind: 'Deployment',
        namespace: DEST_NS,
        name: 'guestbook-ui',
      },
    });

    const secret = await (
      await fx.fetch(
        `${fx.url}/applications/${APPS_NS}/guestbook-prod/diff?resource=${encodeURIComponent(KEYS.secret)}`,
      )
    ).text();
    expect(secret).toContain('class="add"');
    for (const value of ['hunter2-live', 'hunter2-desired']) {
      expect(secret).not.toContain(value);
      expect(secret).not.toContain(Buffer.from(value).toString('base64'));
    }
  });

  it('refuses a diff of an object that is not one of the Application’s resources', async () => {
    const other = `${fx.url}/applications/${APPS_NS}/guestbook-prod/diff?resource=${encodeURIComponent('~/v1/Secret/kube-system/admin')}`;
    const res = await fx.fetch(other);
    expect(res.status).toBe(404);
    const calls = fx.diffCalls.length;
    expect(
      (await fx.fetch(`${fx.url}/applications/${APPS_NS}/guestbook-prod/diff?resource=nonsense`)).status,
    ).toBe(400);
    expect(fx.diffCalls.length).toBe(calls);
  });

  it('answers 404 for an unknown Application and for one outside its namespaces', async () => {
    const missing = await fx.fetch(`${fx.url}/applications/${APPS_NS}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('Application gitops-kit/nope not found');
    expect((await fx.fetch(`${fx.url}/applications/elsewhere/hidden`)).status).toBe(404);
  });

  it('shows an Application never reconciled, and reads a malformed one without failing', async () => {
    await fx.createApp('fresh', APPS_NS, appSpec('dev', false));
    const res = await fx.fetch(`${fx.url}/applications/${APPS_NS}/fresh`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('class="badge sync-Unknown" data-field="sync">Unknown<');
    expect(page).toContain('No resources yet.');
    expect(page).toContain('No syncs yet.');
    // A status of the wrong shape (a newer or broken operator) shows as unknown, never throws.
    const view = applicationView({
      apiVersion: 'gitops-kit.dev/v1alpha1',
      kind: 'Application',
      metadata: { name: 'x', namespace: 'y' },
      spec: 'not an object',
      status: { sync: { status: 'Great' }, resources: [{ kind: 1 }, null], history: 'x' },
    });
    expect(view.sync).toBe('Unknown');
    expect(view.resources).toEqual([]);
    expect(view.history).toEqual([]);
  });
});

describe('the resource tree', () => {
  it('is looked up in the destination cluster, and the page survives one it cannot reach', async () => {
    const asked: string[] = [];
    const { url } = await fx.startView({
      destinationClient: async (app) => {
        asked.push(String(app.metadata.name));
        throw new Error('kubeconfig Secret cluster-prod not found');
      },
    });
    const res = await fx.fetch(`${url}/applications/${APPS_NS}/guestbook-dev`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(asked).toEqual(['guestbook-dev']);
    expect(page).toContain('cannot reach the destination cluster: kubeconfig Secret cluster-prod not found');
    expect(page).toContain(`data-resource="${KEYS.deployment}"`);
    expect(page).not.toContain('data-child=');
  });

  it('walks ownerReferences from the managed resources down', async () => {
    const view = applicationView(await fx.getApp('guestbook-dev'));
    const tree = await buildResourceTree(fx.cluster.client, view.resources);
    expect(tree.roots.map((r) => r.kind)).toEqual(['Deployment', 'Service']);
    const [rs] = tree.roots[0]?.children ?? [];
    expect(rs?.kind).toBe('ReplicaSet');
    expect(rs?.children.map((p) => p.kind)).toEqual(['Pod']);
    expect(rs?.children[0]?.health).toBe('Healthy');
    expect(tree.roots[1]?.children).toEqual([]);
    expect(tree.warnings).toEqual([]);
  });

  it('skips kinds the server does not serve and reports lists that fail', async () => {
    const view = applicationView(await fx.getApp('guestbook-dev'));
    const tree = await buildResourceTree(fx.cluster.client, view.resources, {
      childKinds: [{ apiVersion: 'example.com/v1', kind: 'Nothing' }],
    });
    expect(tree.roots[0]?.children).toEqual([]);
    const remove = fx.cluster.injectFault({ verbs: ['list'], resources: ['replicasets'], status: 500 });
    try {
      const refused = await buildResourceTree(fx.cluster.client, view.resources);
      expect(refused.warnings.join('\n')).toContain(`cannot list ReplicaSet in namespace ${DEST_NS}`);
      expect(refused.roots[0]?.children).toEqual([]);
    } finally {
      remove();
    }
  });
});

describe('rollback', () => {
  it('sets the rollback operation on the Application, from a same-origin POST', async () => {
    await fx.createApp('rollme', APPS_NS, appSpec('dev', true), devStatus());
    const res = await post(`/applications/${APPS_NS}/rollme/rollback`, 'id=0&prune=true', sameOrigin());
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/applications/${APPS_NS}/rollme?rollback=0`);
    const app = await fx.getApp('rollme');
    expect(app.operation).toEqual({
      rollback: { id: 0, prune: true },
      initiatedBy: { username: TESTER },
    });
    // The page says it is requested, and disables the buttons while it is pending.
    const page = await (await fx.fetch(`${fx.url}${res.location}`)).text();
    expect(page).toContain('Rollback to history id 0 requested');
    expect(page).toContain('Requested: rollback to history id 0');
    expect(page).toMatch(/data-rollback="0" disabled/);
    // A second one while the first is pending is refused.
    const again = await post(`/applications/${APPS_NS}/rollme/rollback`, 'id=0', sameOrigin());
    expect(again.status).toBe(409);
    expect(again.text).toContain('an operation is already pending');
  });

  it('refuses a cross-origin POST, and a POST with no origin at all', async () => {
    await fx.createApp('csrf', APPS_NS, appSpec('dev', true), devStatus());
    const path = `/applications/${APPS_NS}/csrf/rollback`;
    expect((await post(path, 'id=0', { origin: 'https://evil.example' })).status).toBe(403);
    expect((await post(path, 'id=0', { origin: 'null' })).status).toBe(403);
    expect((await post(path, 'id=0', { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await post(path, 'id=0', { referer: 'https://evil.example/page' })).status).toBe(403);
    expect((await post(path, 'id=0', {})).status).toBe(403);
    expect((await fx.getApp('csrf')).operation).toBeUndefined();
    // Without Origin, a same-origin Sec-Fetch-Site or Referer is accepted.
    expect((await post(path, 'id=0', { 'sec-fetch-site': 'same-origin' })).status).toBe(303);
  });

  it('accepts only POST with a form, a known history id, and answers JSON to JSON clients', async () => {
    await fx.createApp('strict', APPS_NS, appSpec('dev', true), devStatus());
    const path = `/applications/${APPS_NS}/strict/rollback`;
    const get = await fx.fetch(`${fx.url}${path}`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await post(path, 'id=0', { ...sameOrigin(), 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post(path, 'id=abc', sameOrigin())).status).toBe(400);
    const unknown = await post(path, 'id=7', { ...sameOrigin(), accept: 'application/json' });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.text)).toEqual({
      error: 'field id: history id 7 does not exist; known ids: 0, 1',
    });
    expect((await post(path, `id=0&pad=${'x'.repeat(5000)}`, sameOrigin())).status).toBe(413);
    expect((await fx.getApp('strict')).operation).toBeUndefined();
    const ok = await post(path, 'id=1', { ...sameOrigin(), accept: 'application/json' });
    expect(ok.status).toBe(202);
    expect(JSON.parse(ok.text)).toEqual({ requested: { rollback: { id: 1 } } });
  });

  it('is not offered, and refused, by a read-only view; allowed origins are configurable, the user is the token’s', async () => {
    const { url: readOnly } = await fx.startView({ readOnly: true });
    const page = await (await fx.fetch(`${readOnly}/applications/${APPS_NS}/guestbook-dev`)).text();
    expect(page).not.toContain('data-rollback');
    await fx.createApp('proxied', APPS_NS, appSpec('dev', true), devStatus());
    const denied = await fx.fetch(`${readOnly}/applications/${APPS_NS}/proxied/rollback`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: readOnly },
      body: 'id=0',
    });
    expect(denied.status).toBe(403);

    const { url: proxied } = await fx.startView({ allowedOrigins: ['https://gitops.example.com'] });
    const res = await fx.fetch(
      `${proxied}/applications/${APPS_NS}/proxied/rollback`,
      {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: 'https://gitops.example.com',
          // A header an authenticating proxy might set counts for nothing: the token says who.
          'x-forwarded-user': 'mallory',
        },
        body: 'id=0',
      },
      ALICE_TOKEN,
    );
    expect(res.status).toBe(303);
    expect((await fx.getApp('proxied')).operation).toEqual({
      rollback: { id: 0 },
      initiatedBy: { username: 'alice' },
    });
  });
});

type SseEvent = { event: string; data: { key?: string; [k: string]: unknown } };

/** Reads Server-Sent Events from `url` until `done` says so or the stream ends. */
async function readEvents(
  url: string,
  done: (events: SseEvent[]) => boolean,
  afterConnect?: () => Promise<void>,
  token?: string,
): Promise<SseEvent[]> {
  const controller = new AbortController();
  const res = await fx.fetch(url, { signal: controller.signal }, token);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const events: SseEvent[] = [];
  let buffer = '';
  let connected = false;
  try {
    while (!done(events)) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
      }
      if (!connected && events.length > 0) {
        connected = true;
        await afterConnect?.();
      }
    }
  } finally {
    controller.abort();
  }
  return events;
}

describe('live updates', () => {
  it('streams the current state, then each change a page shows, and nothing else', async () => {
    await fx.createApp('live', APPS_NS, appSpec('dev', true), devStatus());
    const url = `${fx.url}/web/events?app=${encodeURIComponent(`${APPS_NS}/live`)}`;
    const events = await readEvents(
      url,
      (e) => e.length >= 3,
      async () => {
        // Only the operator's timestamp changes: no event.
        await fx.setStatus('live', devStatus({ reconciledAt: '2026-11-26T11:00:00Z' }));
        await fx.setStatus(
          'live',
          devStatus({ health: { status: 'Degraded', message: 'pod crash-looping' } }),
        );
        await fx.setStatus('live', devStatus({ sync: { status: 'OutOfSync', revision: 'main' } }));
      },
    );
    expect(events.map((e) => e.event)).toEqual(['app', 'app', 'app']);
    expect(events[0]?.data).toMatchObject({ key: `${APPS_NS}/live`, sync: 'Synced', health: 'Healthy' });
    expect(events[1]?.data).toMatchObject({ health: 'Degraded', healthMessage: 'pod crash-looping' });
    expect(events[2]?.data).toMatchObject({
      sync: 'OutOfSync',
      revision: 'main',
      health: 'Healthy',
      resources: [
        { key: KEYS.deployment, sync: 'Synced', health: 'Healthy' },
        { key: KEYS.service, sync: 'Synced', health: 'Healthy' },
      ],
      historyIds: [0, 1],
    });
  });

  it('on the list stream, reports new and deleted Applications of its namespaces only', async () => {
    const events = await readEvents(
      `${fx.url}/web/events`,
      (e) => e.some((x) => x.event === 'deleted' && x.data.key === `${APPS_NS}/newcomer`),
      async () => {
        await fx.createApp('outsider', 'elsewhere', appSpec('dev', false), prodStatus());
        await fx.createApp('newcomer', APPS_NS, appSpec('prod', false), prodStatus());
        await fx.cluster.client.delete({
          apiVersion: 'gitops-kit.dev/v1alpha1',
          kind: 'Application',
          namespace: APPS_NS,
          name: 'newcomer',
        });
      },
    );
    const keys = events.map((e) => `${e.event} ${e.data.key}`);
    expect(keys).toContain(`app ${APPS_NS}/guestbook-dev`);
    expect(keys.indexOf(`app ${APPS_NS}/newcomer`)).toBeGreaterThan(-1);
    expect(keys.indexOf(`app ${APPS_NS}/newcomer`)).toBeLessThan(keys.indexOf(`deleted ${APPS_NS}/newcomer`));
    expect(keys.filter((k) => k.includes('elsewhere/'))).toEqual([]);
  });

  it('keeps streaming after the API server drops its watch', async () => {
    await fx.createApp('resilient', APPS_NS, appSpec('dev', true), devStatus());
    const url = `${fx.url}/web/events?app=${encodeURIComponent(`${APPS_NS}/resilient`)}`;
    const events = await readEvents(
      url,
      (e) => e.some((x) => x.data.health === 'Missing'),
      async () => {
        fx.cluster.closeWatches();
        await fx.setStatus('resilient', devStatus({ health: { status: 'Missing' } }));
      },
    );
    expect(events[0]?.data).toMatchObject({ health: 'Healthy' });
    expect(events.at(-1)?.data).toMatchObject({ key: `${APPS_NS}/resilient`, health: 'Missing' });
  });

  it('streams to a user only the namespaces they may list, including one allowed later', async () => {
    // A view of every namespace; alice may list Applications in gitops-kit only, at first.
    const { url } = await fx.startView({ namespaces: undefined });
    let writing = true;
    const events = await readEvents(
      `${url}/web/events`,
      (e) => e.some((x) => x.data.key === 'team-new/late'),
      async () => {
        await fx.cluster.client.create({
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: 'team-new' },
        });
        for (const obj of applicationAccessRbac({
          name: 'alice-late',
          namespace: 'team-new',
          verbs: ['list'],
          subjects: [{ kind: 'User', name: 'alice' }],
        })) {
          await fx.cluster.client.create(obj);
        }
        await fx.createApp('late', 'team-new', appSpec('dev', false), devStatus());
        await fx.createApp('unseen', 'elsewhere', appSpec('dev', false), devStatus());
        // The first event of a new namespace asks about it; the events after it pass once allowed.
        void (async () => {
          for (let i = 0; writing && i < 200; i++) {
            await fx.setStatus(
              'late',
              devStatus({ reconciledAt: `t${i}`, health: { status: i % 2 ? 'Healthy' : 'Degraded' } }),
              'team-new',
            );
            await fx.setStatus(
              'unseen',
              devStatus({ health: { status: i % 2 ? 'Healthy' : 'Degraded' } }),
              'elsewhere',
            );
            await new Promise((r) => setTimeout(r, 50));
          }
        })().catch(() => undefined);
      },
      ALICE_TOKEN,
    );
    writing = false;
    const keys = new Set(events.map((e) => e.data.key));
    expect(keys.has(`${APPS_NS}/guestbook-dev`)).toBe(true);
    expect(keys.has('team-new/late')).toBe(true);
    expect([...keys].filter((k) => k?.startsWith('elsewhere/'))).toEqual([]);
  });

  it('refuses a stream of an Application outside its namespaces', async () => {
    const res = await fx.fetch(`${fx.url}/web/events?app=elsewhere%2Fhidden`);
    expect(res.status).toBe(404);
  });

  it('ends open streams when closed, and then serves nothing', async () => {
    const { url, view } = await fx.startView({});
    const events = await readEvents(
      `${url}/web/events`,
      () => false,
      () => view.close(),
    );
    // The stream ended (readEvents returned) after the snapshot.
    expect(events.length).toBeGreaterThan(0);
    expect((await fx.fetch(`${url}/`)).status).toBe(404);
  });
});

describe('escaping', () => {
  it('escapes text and attribute values, and keeps only markup built by the template', () => {
    const name = `x" onmouseover="alert(1)' <b>&`;
    expect(html`<a title="${name}">${name}</a>`.value).toBe(
      '<a title="x&quot; onmouseover=&quot;alert(1)&#39; &lt;b&gt;&amp;">x&quot; onmouseover=&quot;alert(1)&#39; &lt;b&gt;&amp;</a>',
    );
    expect(html`<p>${[html`<i>${'<'}</i>`, null, false, 1]}</p>`.value).toBe('<p><i>&lt;</i>1</p>');
    expect(escapeHtml('`')).toBe('&#96;');
  });

  it('puts names into links as path segments, so they cannot add segments or queries', async () => {
    await fx.createApp('weird.name-1', APPS_NS, appSpec('dev', false));
    const page = await (await fx.fetch(`${fx.url}/`)).text();
    expect(page).toContain(`href="/applications/${APPS_NS}/weird.name-1"`);
    expect((await fx.fetch(`${fx.url}/applications/${APPS_NS}/weird.name-1`)).status).toBe(200);
    expect((await fx.fetch(`${fx.url}/applications/${APPS_NS}/%E0%A4%A`)).status).toBe(404);
  });
});

describe('routing', () => {
  it('answers false for paths it does not serve, so the operator server can serve them', async () => {
    for (const path of ['/healthz', '/metrics', '/api/webhook', '/applications/a/b/c/d', '/web/other']) {
      const res = await fx.fetch(`${fx.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.text(), path).toBe('not the web view\n');
    }
  });

  it('serves its script and style, and answers 405 to other methods on its pages', async () => {
    const js = await fx.fetch(`${fx.url}/web/assets/web-view.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toContain('EventSource');
    const css = await fx.fetch(`${fx.url}/web/assets/web-view.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const del = await fx.fetch(`${fx.url}/applications/${APPS_NS}/guestbook-dev`, { method: 'DELETE' });
    expect(del.status).toBe(405);
    const head = await fx.fetch(`${fx.url}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});
