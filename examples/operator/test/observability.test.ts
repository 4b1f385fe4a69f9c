import { Writable } from 'node:stream';
import { ValidationError } from '@gitops-kit/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createLogger,
  OperatorMetrics,
  type OperatorServer,
  REDACTED,
  redactForLog,
  startOperatorServer,
} from '../src/index.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  return { lines, stream, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const secret = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: {
    name: 'db',
    namespace: 'prod',
    annotations: {
      'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"password":"aHVudGVyMg=="}}',
    },
  },
  data: { password: 'aHVudGVyMg==' },
  stringData: { url: 'postgres://admin:hunter2@db' },
};

describe('logger', () => {
  it('writes JSON lines with string levels and RFC 3339 times', () => {
    const out = capture();
    const log = createLogger({ destination: out.stream, base: { replica: 'op-0' } });
    log.info({ app: 'apps/dev' }, 'reconciled');
    const [rec] = out.records();
    expect(rec).toMatchObject({ level: 'info', msg: 'reconciled', app: 'apps/dev', replica: 'op-0' });
    expect(rec!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);
  });

  it('never writes Secret values or credentials, wherever they sit in a record', () => {
    const out = capture();
    const log = createLogger({ destination: out.stream });
    log.info({ live: secret, resources: [{ object: secret }] }, 'diff');
    log.warn({ headers: { Authorization: 'Bearer abc.def', 'X-Gitlab-Token': 'gl-t0ken' } }, 'webhook');
    log.error({ config: { git: { password: 'pa55', token: 'ghp_x' } } }, 'fetch failed');
    const text = out.lines.join('\n');
    for (const value of ['aHVudGVyMg==', 'hunter2', 'abc.def', 'gl-t0ken', 'pa55', 'ghp_x']) {
      expect(text).not.toContain(value);
    }
    const [diff] = out.records();
    expect((diff!.live as { data: Record<string, string> }).data).toEqual({ password: REDACTED });
    expect((diff!.live as { metadata: { name: string } }).metadata.name).toBe('db');
  });

  it('logs GitOpsErrors with their code and location', () => {
    const out = capture();
    const log = createLogger({ destination: out.stream });
    log.error(
      { err: new ValidationError('bad image', { file: 'dev/kustomization.yaml', line: 4 }) },
      'render failed',
    );
    const [rec] = out.records();
    expect(rec!.err).toMatchObject({ code: 'VALIDATION_ERROR', file: 'dev/kustomization.yaml', line: 4 });
  });

  it('redactForLog leaves non-Secret objects alone', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } };
    expect(redactForLog(cm)).toEqual(cm);
  });
});

describe('metrics and probes', () => {
  let server: OperatorServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('counts reconciles and syncs, and apps by sync and health status', async () => {
    const statuses = [
      { syncStatus: 'Synced', healthStatus: 'Healthy' },
      { syncStatus: 'Synced', healthStatus: 'Healthy' },
      { syncStatus: 'OutOfSync', healthStatus: 'Degraded' },
    ];
    const metrics = new OperatorMetrics({
      appStatuses: () => statuses,
      queueDepth: () => 4,
      isLeader: () => true,
    });
    metrics.recordReconcile('success', 0.02);
    metrics.recordReconcile('success', 0.03);
    metrics.recordReconcile('error', 0.5);
    metrics.recordSync('Succeeded', 'automated', 1.5);
    metrics.recordSync('Failed', 'manual', 0.2);
    const { body } = await metrics.render();
    expect(body).toContain('gitopskit_app_reconcile_total{result="success"} 2');
    expect(body).toContain('gitopskit_app_reconcile_total{result="error"} 1');
    expect(body).toContain('gitopskit_app_sync_total{result="Succeeded",trigger="automated"} 1');
    expect(body).toContain('gitopskit_app_sync_duration_seconds_count{result="Failed"} 1');
    expect(body).toContain('gitopskit_apps{sync_status="Synced",health_status="Healthy"} 2');
    expect(body).toContain('gitopskit_apps{sync_status="OutOfSync",health_status="Degraded"} 1');
    expect(body).toContain('gitopskit_workqueue_depth 4');
    expect(body).toContain('gitopskit_leader 1');
    expect(body).toContain('gitopskit_process_resident_memory_bytes');
    // A status no app has any more disappears at the next scrape.
    statuses.splice(2, 1);
    expect((await metrics.render()).body).not.toContain('sync_status="OutOfSync"');
  });

  it('serves /healthz, /readyz (with failing checks named) and /metrics', async () => {
    let synced = false;
    const metrics = new OperatorMetrics();
    metrics.recordReconcile('success', 0.01);
    server = await startOperatorServer({
      port: 0,
      host: '127.0.0.1',
      metrics,
      liveness: { ping: () => true },
      readiness: { informer: () => synced || 'Application cache not synced', apiserver: () => true },
    });
    const healthz = await fetch(`${server.url}/healthz`);
    expect(healthz.status).toBe(200);
    expect(await healthz.text()).toBe('ok');
    const notReady = await fetch(`${server.url}/readyz`);
    expect(notReady.status).toBe(503);
    const body = await notReady.text();
    expect(body).toContain('[-]informer failed: Application cache not synced');
    expect(body).toContain('[+]apiserver ok');
    synced = true;
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${server.url}/readyz?verbose`)).text()).toContain('[+]informer ok');
    const m = await fetch(`${server.url}/metrics`);
    expect(m.headers.get('content-type')).toContain('text/plain');
    expect(await m.text()).toContain('gitopskit_app_reconcile_total{result="success"} 1');
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    expect((await fetch(`${server.url}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  it('hands other paths to the fallback (the web view), and 404s what it declines', async () => {
    server = await startOperatorServer({
      port: 0,
      host: '127.0.0.1',
      fallback: async (req, res) => {
        if (req.url !== '/applications') return false;
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<h1>Applications</h1>');
        return true;
      },
    });
    expect(await (await fetch(`${server.url}/applications`)).text()).toBe('<h1>Applications</h1>');
    expect((await fetch(`${server.url}/elsewhere`)).status).toBe(404);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('a throwing readiness check fails readiness instead of the server', async () => {
    server = await startOperatorServer({
      port: 0,
      host: '127.0.0.1',
      readiness: {
        lease: () => {
          throw new Error('cannot reach the API server');
        },
      },
    });
    const res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('cannot reach the API server');
  });
});
