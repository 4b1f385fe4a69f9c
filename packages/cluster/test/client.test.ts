import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  errorFromResponse,
  isAlreadyExists,
  isConflict,
  isNotFound,
  KubeApiError,
  KubeClusterClient,
  RateLimiter,
} from '../src/index.js';

// The full contract suite runs in @gitops-kit/testkit (KubeClusterClient → HTTP → testkit). These
// tests cover what needs a server that behaves unlike testkit: legacy (non-aggregated) discovery and
// raw answers.

describe('errorFromResponse', () => {
  it('maps Status bodies to stable codes with causes and Retry-After', () => {
    const conflict = errorFromResponse(
      409,
      JSON.stringify({
        kind: 'Status',
        reason: 'Conflict',
        message: 'Apply failed with 1 conflict',
        details: {
          causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "a"', field: '.spec.replicas' }],
        },
      }),
      undefined,
      'PATCH /x',
    );
    expect(conflict).toMatchObject({
      code: 'CONFLICT',
      status: 409,
      kubeReason: 'Conflict',
      path: '.spec.replicas',
    });
    expect(conflict.conflicts).toHaveLength(1);
    expect(isConflict(conflict)).toBe(true);
    const exists = errorFromResponse(
      409,
      JSON.stringify({ kind: 'Status', reason: 'AlreadyExists', message: 'x' }),
      undefined,
      'POST /x',
    );
    expect(exists.code).toBe('ALREADY_EXISTS');
    expect(isAlreadyExists(exists)).toBe(true);
    expect(isConflict(exists)).toBe(false);
    const limited = errorFromResponse(429, 'slow down', '7', 'GET /x');
    expect(limited).toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      retryAfterSeconds: 7,
      kubeReason: 'TooManyRequests',
    });
    expect(errorFromResponse(404, '', undefined, 'GET /x').code).toBe('NOT_FOUND');
    expect(isNotFound(errorFromResponse(404, '', undefined, 'GET /x'))).toBe(true);
    expect(errorFromResponse(401, '', undefined, 'GET /x').code).toBe('UNAUTHORIZED');
    expect(errorFromResponse(403, '', undefined, 'GET /x').code).toBe('FORBIDDEN');
    expect(errorFromResponse(422, '', undefined, 'GET /x').code).toBe('INVALID');
    expect(errorFromResponse(504, '', undefined, 'GET /x').code).toBe('TIMEOUT');
    expect(errorFromResponse(502, '<html>bad gateway</html>', undefined, 'GET /x')).toMatchObject({
      code: 'SERVER_ERROR',
    });
  });
});

describe('RateLimiter', () => {
  it('never runs more than `concurrency` tasks at once', async () => {
    const limiter = new RateLimiter({ concurrency: 2, qps: 0, burst: 0 });
    let active = 0;
    let peak = 0;
    const task = async (): Promise<void> => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 5));
      active--;
    };
    await Promise.all(Array.from({ length: 10 }, () => limiter.run(task)));
    expect(peak).toBe(2);
  });
});

describe('RateLimiter QPS', () => {
  it('lets a burst through, then one request per 1/qps seconds (on a fake clock)', async () => {
    vi.useFakeTimers();
    try {
      const limiter = new RateLimiter({ concurrency: 0, qps: 2, burst: 2 });
      let done = 0;
      const all = Promise.all(Array.from({ length: 6 }, () => limiter.run(async () => void done++)));
      await vi.advanceTimersByTimeAsync(0);
      expect(done).toBe(2);
      await vi.advanceTimersByTimeAsync(500);
      expect(done).toBe(3);
      await vi.advanceTimersByTimeAsync(1500);
      expect(done).toBe(6);
      await all;
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('KubeClusterClient against a server without aggregated discovery', () => {
  let server: Server;
  let url: string;
  let attempts = 0;
  const seen: string[] = [];
  const authorization: Array<string | undefined> = [];

  const handler = (req: IncomingMessage, res: ServerResponse): undefined => {
    seen.push(`${req.method} ${req.url}`);
    authorization.push(req.headers.authorization);
    const json = (code: number, body: unknown, headers: Record<string, string> = {}): undefined => {
      res.writeHead(code, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
      return undefined;
    };
    if (req.url === '/api') return json(200, { kind: 'APIVersions', versions: ['v1'] });
    if (req.url === '/apis') return json(200, { kind: 'APIGroupList', groups: [] });
    if (req.url === '/api/v1') {
      return json(200, {
        kind: 'APIResourceList',
        groupVersion: 'v1',
        resources: [
          { name: 'configmaps', namespaced: true, kind: 'ConfigMap', verbs: ['get', 'list'] },
          { name: 'pods', namespaced: true, kind: 'Pod', verbs: ['get'] },
          { name: 'pods/status', namespaced: true, kind: 'Pod', verbs: ['get'] },
        ],
      });
    }
    if (req.url === '/api/v1/namespaces/team/configmaps/flaky') {
      attempts++;
      if (attempts < 3)
        return json(
          503,
          { kind: 'Status', reason: 'ServiceUnavailable', message: 'busy', code: 503 },
          { 'Retry-After': '0' },
        );
      return json(200, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'flaky', namespace: 'team', creationTimestamp: '2026-01-01T00:00:00Z' },
        data: { a: '1' },
      });
    }
    json(404, { kind: 'Status', reason: 'NotFound', message: 'not found', code: 404 });
  };

  beforeAll(async () => {
    server = createServer(handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const kubeconfig = (): string =>
    `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${url}\n    insecure-skip-tls-verify: true\nusers:\n- name: u\n  user:\n    token: secret-token\ncontexts:\n- name: x\n  context: {cluster: c, user: u, namespace: team}\ncurrent-context: x\n`;

  it('falls back to per-group-version discovery, with subresources', async () => {
    const client = await KubeClusterClient.fromKubeconfig(kubeconfig());
    try {
      const pods = await client.resourceFor('v1', 'Pod');
      expect(pods).toMatchObject({ resource: 'pods', namespaced: true, subresources: ['status'] });
      expect(client.defaultNamespace).toBe('team');
    } finally {
      client.close();
    }
  });

  it('caches discovery for its TTL', async () => {
    const fetches = (): number => seen.filter((r) => r === 'GET /api').length;
    const cached = await KubeClusterClient.fromKubeconfig(kubeconfig());
    const uncached = await KubeClusterClient.fromKubeconfig(kubeconfig(), { discoveryTtlMs: 0 });
    try {
      let before = fetches();
      await cached.resourceFor('v1', 'ConfigMap');
      await cached.resourceFor('v1', 'Pod');
      expect(fetches() - before).toBe(1);
      before = fetches();
      await uncached.resourceFor('v1', 'ConfigMap');
      await uncached.resourceFor('v1', 'Pod');
      expect(fetches() - before).toBe(2);
    } finally {
      cached.close();
      uncached.close();
    }
  });

  it('talks to a plain-HTTP server even without insecure-skip-tls-verify', async () => {
    const client = await KubeClusterClient.fromKubeconfig(
      kubeconfig().replace('    insecure-skip-tls-verify: true\n', ''),
    );
    try {
      await expect(client.resourceFor('v1', 'ConfigMap')).resolves.toMatchObject({ resource: 'configmaps' });
    } finally {
      client.close();
    }
  });

  it('retries 503 with Retry-After, and returns timestamps as strings, not Dates', async () => {
    const client = await KubeClusterClient.fromKubeconfig(kubeconfig(), { retryBaseDelayMs: 1 });
    try {
      const got = await client.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'flaky' });
      expect(attempts).toBe(3);
      expect(got.metadata.creationTimestamp).toBe('2026-01-01T00:00:00Z');
      const err = await client
        .get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'absent' })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KubeApiError);
      expect((err as KubeApiError).code).toBe('NOT_FOUND');
    } finally {
      client.close();
    }
  });

  // A kubeconfig whose credentials are counted: static ones are computed once, dynamic ones
  // (exec plugins, auth providers: their tokens expire) on every request.
  const countingConfig = (user: { exec?: unknown }, token: () => string) => {
    const calls = { n: 0 };
    const config = {
      getCurrentCluster: () => ({ server: url, skipTLSVerify: true }),
      getCurrentContext: () => 'x',
      getContextObject: () => ({ namespace: 'team' }),
      getCurrentUser: () => user,
      applyToHTTPSOptions: async (opts: { headers?: unknown }) => {
        calls.n++;
        opts.headers = { ...(opts.headers as object), Authorization: `Bearer ${token()}` };
      },
    };
    return { config, calls };
  };

  it('computes static credentials once and dynamic ones per request', async () => {
    const fixed = countingConfig({}, () => 'static-token');
    const staticClient = new KubeClusterClient(fixed.config, { discoveryTtlMs: 0 });
    let n = 0;
    const rotating = countingConfig({ exec: { command: 'get-token' } }, () => `exec-token-${++n}`);
    const execClient = new KubeClusterClient(rotating.config, { discoveryTtlMs: 0 });
    try {
      let before = authorization.length;
      for (let i = 0; i < 3; i++) await staticClient.resourceFor('v1', 'ConfigMap');
      expect(fixed.calls.n).toBe(1);
      const staticHeaders = authorization.slice(before);
      expect(staticHeaders.length).toBeGreaterThanOrEqual(3);
      expect(new Set(staticHeaders)).toEqual(new Set(['Bearer static-token']));
      before = authorization.length;
      for (let i = 0; i < 3; i++) await execClient.resourceFor('v1', 'ConfigMap');
      const execHeaders = authorization.slice(before);
      expect(rotating.calls.n).toBe(execHeaders.length);
      expect(new Set(execHeaders).size).toBe(execHeaders.length);
    } finally {
      staticClient.close();
      execClient.close();
    }
  });
});

describe('KubeClusterClient and API Priority and Fairness', () => {
  // A server that answers discovery, with or without the APF headers a real API server sends.
  const serve = async (apf: boolean): Promise<{ url: string; server: Server }> => {
    const server = createServer((req, res) => {
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (apf) {
        headers['X-Kubernetes-PF-FlowSchema-UID'] = 'fs-uid';
        headers['X-Kubernetes-PF-PriorityLevel-UID'] = 'pl-uid';
      }
      res.writeHead(200, headers);
      if (req.url === '/api') res.end(JSON.stringify({ kind: 'APIVersions', versions: ['v1'] }));
      else if (req.url === '/apis') res.end(JSON.stringify({ kind: 'APIGroupList', groups: [] }));
      else
        res.end(
          JSON.stringify({
            kind: 'APIResourceList',
            groupVersion: 'v1',
            resources: [{ name: 'configmaps', namespaced: true, kind: 'ConfigMap', verbs: ['get'] }],
          }),
        );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
  };
  const config = (url: string) => ({
    getCurrentCluster: () => ({ server: url, skipTLSVerify: true }),
    getCurrentContext: () => 'x',
    getContextObject: () => ({ namespace: 'default' }),
    getCurrentUser: () => ({}),
    applyToHTTPSOptions: async () => {},
  });

  it('drops the default QPS limit once the server shows it limits clients, keeps a chosen one', async () => {
    const withApf = await serve(true);
    const without = await serve(false);
    const auto = new KubeClusterClient(config(withApf.url));
    const chosen = new KubeClusterClient(config(withApf.url), { qps: 50 });
    const plain = new KubeClusterClient(config(without.url));
    try {
      expect(auto.rateLimits.qps).toBe(200);
      await auto.resourceFor('v1', 'ConfigMap');
      expect(auto.rateLimits).toMatchObject({ qps: 0, concurrency: 16 });
      await chosen.resourceFor('v1', 'ConfigMap');
      expect(chosen.rateLimits.qps).toBe(50);
      await plain.resourceFor('v1', 'ConfigMap');
      expect(plain.rateLimits.qps).toBe(200);
    } finally {
      for (const c of [auto, chosen, plain]) c.close();
      for (const { server } of [withApf, without]) {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      }
    }
  });
});
