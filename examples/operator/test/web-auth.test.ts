// Who may see and do what on the operator's HTTP endpoints, through the operator's real server
// over HTTP against testkit: TokenReview and SubjectAccessReview decide, the login keeps the token
// in a cookie, forms need the session's CSRF token and a same-origin POST, Host names are allowed
// by name, `--namespace` scopes the web view, and actions are recorded under the user's name.
import { request } from 'node:http';
import type { KubeObject } from '@gitops-kit/core';
import { eventually } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APPLICATION_API_VERSION,
  APPLICATION_READ_VERBS,
  APPLICATION_WRITE_VERBS,
  applicationAccessRbac,
  csrfTokenFor,
  HostAllowlist,
  ReviewCache,
} from '../src/index.js';
import {
  APPS_NAMESPACE,
  bearer,
  type OperatorEnvironment,
  startOperatorEnvironment,
  TESTER_TOKEN,
} from './harness.js';

const ALICE = 'alice-token'; // reads and acts on Applications in `apps`
const BOB = 'bob-token'; // reads them only
const MALLORY = 'mallory-token'; // authenticated, no permission
const OTHER_NS = 'other'; // Applications the operator (--namespace apps) does not manage

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** A request with any headers (fetch will not send another Host, nor leave out its Origin). */
function http(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const HTML = { accept: 'text/html,application/xhtml+xml' };

describe('the operator’s HTTP endpoints: authentication and authorization', () => {
  let env: OperatorEnvironment;
  let url: string;
  const appPath = (name: string, ns = APPS_NAMESPACE) => `/applications/${ns}/${name}`;
  const getApp = (name: string, namespace = APPS_NAMESPACE) =>
    env.cluster.client.get({ apiVersion: APPLICATION_API_VERSION, kind: 'Application', namespace, name });

  /** Logs in as the owner of `token` like a browser: the session cookie to send back. */
  async function login(token: string): Promise<string> {
    const res = await http(`${url}/login`, {
      method: 'POST',
      headers: { ...FORM, origin: url },
      body: `token=${encodeURIComponent(token)}&next=%2F`,
    });
    expect(res.status).toBe(303);
    const cookie = String(res.headers['set-cookie'] ?? '');
    return cookie.split(';')[0] as string;
  }

  beforeAll(async () => {
    env = await startOperatorEnvironment({
      cluster: {
        tokens: {
          [ALICE]: { user: 'alice', rbac: true },
          [BOB]: { user: 'bob', rbac: true },
          [MALLORY]: { user: 'mallory', rbac: true },
        },
      },
      operator: { namespace: APPS_NAMESPACE, allowedHosts: ['gitops.example.test'] },
    });
    url = env.op.url as string;
    const client = env.cluster.client;
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: OTHER_NS } });
    for (const [name, user, verbs] of [
      ['alice', 'alice', APPLICATION_WRITE_VERBS],
      ['bob', 'bob', APPLICATION_READ_VERBS],
    ] as const) {
      for (const obj of applicationAccessRbac({
        name,
        namespace: APPS_NAMESPACE,
        verbs,
        subjects: [{ kind: 'User', name: user }],
      })) {
        await client.create(obj);
      }
    }
    // alice may act in `other` too: the web view still must not (the operator does not manage it).
    for (const obj of applicationAccessRbac({
      name: 'alice',
      namespace: OTHER_NS,
      verbs: APPLICATION_WRITE_VERBS,
      subjects: [{ kind: 'User', name: 'alice' }],
    })) {
      await client.create(obj);
    }
    await client.create(env.application('manual', 'dev'));
    await client.create({
      ...env.application('outside', 'dev'),
      metadata: { name: 'outside', namespace: OTHER_NS },
    });
    await env.statusWhen('manual', (s) => s.sync?.status === 'OutOfSync', 'manual compared, OutOfSync');
  }, 60_000);

  afterAll(async () => {
    await env?.stop();
  });

  describe('without a token', () => {
    it('sends a browser to the login page, and answers 401 to API clients', async () => {
      const page = await http(`${url}/applications/apps/manual`, { headers: HTML });
      expect(page.status).toBe(303);
      expect(page.headers.location).toBe('/login?next=%2Fapplications%2Fapps%2Fmanual');
      const loginPage = await http(`${url}${page.headers.location}`, { headers: HTML });
      expect(loginPage.status).toBe(200);
      expect(loginPage.text).toContain('<form method="post" action="/login"');
      expect(loginPage.text).toContain('name="next" value="/applications/apps/manual"');
      expect(loginPage.text).toContain('type="password" name="token"');

      const api = await http(`${url}/applications/apps/manual`, { headers: { accept: 'application/json' } });
      expect(api.status).toBe(401);
      expect(api.headers['www-authenticate']).toBe('Bearer realm="gitops-kit"');
      expect(JSON.parse(api.text).error).toContain('no bearer token');
      expect((await http(`${url}/web/events`)).status).toBe(401);
      const post = await http(`${url}${appPath('manual')}/sync`, {
        method: 'POST',
        headers: { ...FORM, origin: url },
      });
      expect(post.status).toBe(401);
      expect((await getApp('manual')).operation).toBeUndefined();
    });

    it('guards /metrics as kube-rbac-proxy does; the probes and the script stay open', async () => {
      expect((await http(`${url}/metrics`)).status).toBe(401);
      expect((await http(`${url}/metrics`, { headers: bearer('nope') })).status).toBe(401);
      // alice may act on Applications, but not read /metrics (a non-resource URL).
      const forbidden = await http(`${url}/metrics`, { headers: bearer(ALICE) });
      expect(forbidden.status).toBe(403);
      expect(forbidden.text).toContain('User "alice" cannot get path "/metrics"');
      const metrics = await http(`${url}/metrics`, { headers: bearer(TESTER_TOKEN) });
      expect(metrics.status).toBe(200);
      expect(metrics.text).toContain('gitopskit_app_reconcile_total');
      expect((await http(`${url}/healthz`)).status).toBe(200);
      expect((await http(`${url}/readyz`)).status).toBe(200);
      expect((await http(`${url}/web/assets/web-view.css`)).status).toBe(200);
    });

    it('refuses a token the API server does not accept, and ends a session whose token is refused', async () => {
      const api = await http(`${url}/`, {
        headers: { ...bearer('not-a-token'), accept: 'application/json' },
      });
      expect(api.status).toBe(401);
      expect(JSON.parse(api.text).error).toContain('invalid bearer token');
      const browser = await http(`${url}/`, {
        headers: { ...HTML, cookie: 'gitops-kit-session=not-a-token' },
      });
      expect(browser.status).toBe(303);
      expect(browser.headers.location).toBe('/login?next=%2F');
      expect(String(browser.headers['set-cookie'])).toContain(
        'gitops-kit-session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0',
      );
    });
  });

  describe('the login', () => {
    it('keeps an accepted token in an HttpOnly, SameSite=Strict cookie and goes back where it was asked', async () => {
      const res = await http(`${url}/login`, {
        method: 'POST',
        headers: { ...FORM, origin: url },
        body: `token=${ALICE}&next=${encodeURIComponent('/applications/apps/manual')}`,
      });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/applications/apps/manual');
      expect(res.headers['set-cookie']).toEqual([
        `gitops-kit-session=${ALICE}; Path=/; HttpOnly; SameSite=Strict`,
      ]);
      const page = await http(`${url}${res.headers.location}`, {
        headers: { ...HTML, cookie: `gitops-kit-session=${ALICE}` },
      });
      expect(page.status).toBe(200);
      expect(page.text).toContain('<span class="user" id="current-user">alice</span>');
      // Behind a proxy that terminated TLS, the cookie is Secure.
      const tls = await http(`${url}/login`, {
        method: 'POST',
        headers: { ...FORM, origin: url, 'x-forwarded-proto': 'https' },
        body: `token=${ALICE}`,
      });
      expect(String(tls.headers['set-cookie'])).toMatch(/; Secure$/);
    });

    it('refuses a wrong token, a cross-origin login, and a `next` of another site', async () => {
      const wrong = await http(`${url}/login`, {
        method: 'POST',
        headers: { ...FORM, origin: url },
        body: 'token=guess',
      });
      expect(wrong.status).toBe(401);
      expect(wrong.headers['set-cookie']).toBeUndefined();
      expect(wrong.text).toContain('The API server did not accept this token.');
      const forged = await http(`${url}/login`, {
        method: 'POST',
        headers: { ...FORM, origin: 'https://evil.example' },
        body: `token=${MALLORY}`,
      });
      expect(forged.status).toBe(403);
      expect(forged.headers['set-cookie']).toBeUndefined();
      for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
        const res = await http(`${url}/login`, {
          method: 'POST',
          headers: { ...FORM, origin: url },
          body: `token=${ALICE}&next=${encodeURIComponent(next)}`,
        });
        expect(res.headers.location, next).toBe('/');
      }
    });

    it('logs out with the session’s CSRF token: the cookie is cleared', async () => {
      const cookie = await login(BOB);
      const withoutToken = await http(`${url}/logout`, {
        method: 'POST',
        headers: { ...FORM, origin: url, cookie },
      });
      expect(withoutToken.status).toBe(403);
      const res = await http(`${url}/logout`, {
        method: 'POST',
        headers: { ...FORM, origin: url, cookie },
        body: `_csrf=${csrfTokenFor(BOB)}`,
      });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/login');
      expect(String(res.headers['set-cookie'])).toContain('Max-Age=0');
    });
  });

  describe('authorization by the cluster’s RBAC', () => {
    it('answers 403 to a user without the permission, for pages, streams and actions', async () => {
      const list = await http(`${url}/`, { headers: { ...bearer(MALLORY), ...HTML } });
      expect(list.status).toBe(403);
      expect(list.text).toContain('User &quot;mallory&quot; cannot list resource &quot;applications&quot;');
      const page = await http(`${url}${appPath('manual')}`, {
        headers: { ...bearer(MALLORY), accept: 'application/json' },
      });
      expect(page.status).toBe(403);
      expect(JSON.parse(page.text).error).toBe(
        'applications.gitops-kit.dev "manual" is forbidden: User "mallory" cannot get resource "applications" in API group "gitops-kit.dev" in the namespace "apps"',
      );
      // The same answer for an Application that does not exist: a 403 tells nothing of existence.
      expect((await http(`${url}${appPath('nope')}`, { headers: bearer(MALLORY) })).status).toBe(403);
      expect((await http(`${url}/web/events?app=apps%2Fmanual`, { headers: bearer(MALLORY) })).status).toBe(
        403,
      );
      const sync = await http(`${url}${appPath('manual')}/sync`, {
        method: 'POST',
        headers: { ...FORM, ...bearer(MALLORY) },
      });
      expect(sync.status).toBe(403);
      expect((await getApp('manual')).operation).toBeUndefined();
    });

    it('shows a reader the Application without action buttons, and refuses their actions', async () => {
      const page = await http(`${url}${appPath('manual')}`, { headers: bearer(BOB) });
      expect(page.status).toBe(200);
      expect(page.text).toContain('data-app="apps/manual"');
      expect(page.text).not.toContain('data-action="sync"');
      const cookie = await login(BOB);
      const sync = await http(`${url}${appPath('manual')}/sync`, {
        method: 'POST',
        headers: { ...FORM, origin: url, cookie },
        body: `_csrf=${csrfTokenFor(BOB)}`,
      });
      expect(sync.status).toBe(403);
      expect(sync.text).toContain('cannot update or patch');
      expect((await getApp('manual')).operation).toBeUndefined();
    });
  });

  describe('forged requests', () => {
    it('refuses a form POST without the session’s CSRF token, or with another session’s', async () => {
      const cookie = await login(ALICE);
      const path = `${url}${appPath('manual')}/refresh`;
      const headers = { ...FORM, origin: url, cookie };
      expect((await http(path, { method: 'POST', headers })).status).toBe(403);
      expect((await http(path, { method: 'POST', headers, body: '_csrf=' })).status).toBe(403);
      const stolen = await http(path, { method: 'POST', headers, body: `_csrf=${csrfTokenFor(BOB)}` });
      expect(stolen.status).toBe(403);
      expect(stolen.text).toContain('no valid CSRF token');
      // The right token, but from another origin.
      const crossSite = await http(path, {
        method: 'POST',
        headers: { ...headers, origin: 'https://evil.example' },
        body: `_csrf=${csrfTokenFor(ALICE)}`,
      });
      expect(crossSite.status).toBe(403);
      expect((await getApp('manual')).operation).toBeUndefined();
    });

    it('refuses a request whose Host is not an allowed name (DNS rebinding), GET or POST', async () => {
      const foreign = await http(`${url}/`, {
        headers: { ...bearer(TESTER_TOKEN), host: 'rebind.evil.example' },
      });
      expect(foreign.status).toBe(421);
      expect(foreign.text).toContain('does not answer to host "rebind.evil.example"');
      const cookie = await login(ALICE);
      const post = await http(`${url}${appPath('manual')}/sync`, {
        method: 'POST',
        headers: {
          ...FORM,
          host: 'rebind.evil.example:8080',
          origin: 'http://rebind.evil.example:8080',
          cookie,
        },
        body: `_csrf=${csrfTokenFor(ALICE)}`,
      });
      expect(post.status).toBe(421);
      expect((await getApp('manual')).operation).toBeUndefined();
      // localhost and a name given with --allowed-host are answered.
      const port = new URL(url).port;
      expect(
        (await http(`${url}/`, { headers: { ...bearer(TESTER_TOKEN), host: `localhost:${port}` } })).status,
      ).toBe(200);
      expect(
        (await http(`${url}/`, { headers: { ...bearer(TESTER_TOKEN), host: 'gitops.example.test' } })).status,
      ).toBe(200);
    });
  });

  describe('namespace scoping (--namespace apps)', () => {
    it('neither lists nor acts on Applications of other namespaces, whatever the user may do', async () => {
      const list = await http(`${url}/`, { headers: bearer(TESTER_TOKEN) });
      expect(list.text).toContain('data-app="apps/manual"');
      expect(list.text).not.toContain('other/outside');
      expect((await http(`${url}${appPath('outside', OTHER_NS)}`, { headers: bearer(ALICE) })).status).toBe(
        404,
      );
      const cookie = await login(ALICE);
      const sync = await http(`${url}${appPath('outside', OTHER_NS)}/sync`, {
        method: 'POST',
        headers: { ...FORM, origin: url, cookie },
        body: `_csrf=${csrfTokenFor(ALICE)}`,
      });
      expect(sync.status).toBe(404);
      expect((await http(`${url}/web/events?app=other%2Foutside`, { headers: bearer(ALICE) })).status).toBe(
        404,
      );
      expect((await getApp('outside', OTHER_NS)).operation).toBeUndefined();
    });
  });

  describe('with the permission', () => {
    it('syncs from the browser’s form, recorded under the user’s name in the operation, history and Event', async () => {
      const cookie = await login(ALICE);
      const page = await http(`${url}${appPath('manual')}`, { headers: { ...HTML, cookie } });
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
      expect(csrf).toBe(csrfTokenFor(ALICE));
      expect(page.text).toContain('data-action="sync"');
      const res = await http(`${url}${appPath('manual')}/sync`, {
        method: 'POST',
        headers: { ...FORM, origin: url, cookie },
        body: `prune=true&_csrf=${csrf}`,
      });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`${appPath('manual')}?requested=sync`);
      const status = await env.statusWhen(
        'manual',
        (s) => s.history?.some((h) => h.initiatedBy?.username === 'alice'),
        'a history entry initiated by alice',
      );
      expect(status.operationState?.operation).toMatchObject({
        sync: { prune: true },
        initiatedBy: { username: 'alice' },
      });
      const events = await env.cluster.client.listAll('v1', 'Event', { namespace: APPS_NAMESPACE });
      const requested = events.items.filter(
        (e: KubeObject) =>
          e.reason === 'OperationRequested' && (e.involvedObject as { name?: string }).name === 'manual',
      );
      expect(requested.map((e) => e.message)).toContain('alice requested sync with prune');
      // The operator's own Event of the sync names the user too.
      await eventually(async (saw) => {
        const all = await env.cluster.client.listAll('v1', 'Event', { namespace: APPS_NAMESPACE });
        saw(all.items.map((e) => `${e.reason}: ${e.message}`));
        return all.items.some(
          (e) => e.reason === 'SyncSucceeded' && /^sync to \S+ initiated by alice: /.test(String(e.message)),
        );
      }, 'a SyncSucceeded Event naming alice');
    });

    it('takes an API client’s bearer token without a CSRF token, and answers it JSON', async () => {
      const res = await http(`${url}${appPath('manual')}/refresh`, {
        method: 'POST',
        headers: { ...FORM, ...bearer(ALICE), accept: 'application/json' },
        body: 'hard=true',
      });
      expect(res.status).toBe(202);
      expect(JSON.parse(res.text)).toEqual({ requested: { refresh: 'hard' } });
      // The operator carries the refresh out and clears the operation.
      await eventually(async () => (await getApp('manual')).operation === undefined, 'the refresh handled');
    });
  });

  it('refuses (503) rather than lets through when the API server cannot review a token', async () => {
    const remove = env.cluster.injectFault({ verbs: ['create'], resources: ['tokenreviews'], status: 500 });
    try {
      const res = await http(`${url}/`, {
        headers: { ...bearer('never-seen-before'), accept: 'application/json' },
      });
      expect(res.status).toBe(503);
      expect(JSON.parse(res.text).error).toContain('cannot review the token');
    } finally {
      remove();
    }
  });
});

describe('the review cache', () => {
  it('asks once for concurrent lookups of one key, keeps no failure, and stays within its bound', async () => {
    const cache = new ReviewCache<{ allowed: boolean }>({ max: 2, ttlMs: () => 60_000 });
    let asked = 0;
    const review = async () => {
      asked++;
      return { allowed: true };
    };
    await Promise.all(Array.from({ length: 20 }, () => cache.get('alice get apps/x', review)));
    expect(asked).toBe(1);
    await cache.get('alice get apps/x', review);
    expect(asked).toBe(1);
    await expect(cache.get('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await cache.get('k', review);
    expect(asked).toBe(2);
    await cache.get('k2', review);
    await cache.get('k3', review);
    expect(cache.size).toBe(2);
    const uncached = new ReviewCache<{ allowed: boolean }>({ max: 2, ttlMs: () => 0 });
    await uncached.get('k', review);
    await uncached.get('k', review);
    expect(asked).toBe(6);
  });
});

describe('the Host allowlist', () => {
  it('allows the loopback names, the bind address and the names given; ports are not compared', () => {
    const hosts = new HostAllowlist({
      bindAddress: '10.0.0.7',
      allowedHosts: ['GitOps.Example.com', '[fd00::1]'],
    });
    for (const host of [
      'localhost:8080',
      '127.0.0.1',
      '[::1]:8080',
      '10.0.0.7:8080',
      'gitops.example.com',
      'gitops.example.com.:443',
      '[fd00::1]:1',
    ]) {
      expect(hosts.allows(host), host).toBe(true);
    }
    for (const host of [
      undefined,
      '',
      'evil.example',
      'localhost.evil.example',
      '127.0.0.1.nip.io',
      '[::2]',
      'localhost:8080:1',
    ]) {
      expect(hosts.allows(host), String(host)).toBe(false);
    }
    expect(new HostAllowlist({ bindAddress: '0.0.0.0' }).names).toEqual(['localhost', '127.0.0.1', '::1']);
  });
});
