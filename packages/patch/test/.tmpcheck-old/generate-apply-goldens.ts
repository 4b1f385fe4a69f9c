/**
 * Records the patches `kubectl apply` computes (CreateThreeWayMergePatch for built-in kinds,
 * CreateThreeWayJSONMergePatch for custom resources) in apply-goldens.json:
 *
 *   pnpm tsx --conditions=source packages/patch/test/fixtures/generate-apply-goldens.ts
 *
 * A tiny fake API server on 127.0.0.1 answers discovery, serves the live object (carrying the
 * last-applied annotation) and records the PATCH body kubectl sends; kubectl itself computes the
 * patch client-side. Seeded, so the file is the same on every run.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

type Json = string | number | boolean | null | undefined | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const here = dirname(fileURLToPath(import.meta.url));
const SEED = 7;
const CASES = Number(process.env.APPLY_CASES ?? 200);
const ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(SEED);
const chance = (p: number) => rand() < p;
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
const subset = <T>(xs: readonly T[], p = 0.6): T[] => xs.filter(() => chance(p));
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

const ENV = ['LOG_LEVEL', 'MODE', 'REGION', 'TZ'];
const PORTS = [80, 443, 8080];
const LABELS = ['app', 'tier', 'team', 'release'];
const FINALIZERS = ['example.com/a', 'example.com/b', 'example.com/c'];

function container(name: string): Obj {
  const c: Obj = { name, image: `${name}:${1 + Math.floor(rand() * 4)}` };
  const env = subset(ENV).map((n) => ({ name: n, value: pick(['a', 'b']) }));
  if (env.length > 0) c.env = env;
  const ports = subset(PORTS, 0.4).map((p) => ({ containerPort: p, protocol: 'TCP' }));
  if (ports.length > 0) c.ports = ports;
  if (chance(0.4)) c.args = subset(['--a', '--b', '--c']);
  if (chance(0.4)) c.resources = { limits: { cpu: pick(['1', '2']) } };
  return c;
}

function labels(): Obj {
  const out: Obj = {};
  for (const l of subset(LABELS)) out[l] = pick(['x', 'y']);
  return out;
}

function deployment(): Obj {
  const names = subset(['app', 'sidecar', 'proxy'], 0.6);
  if (names.length === 0) names.push('app');
  const meta: Obj = { name: 'web', namespace: 'default', labels: labels() };
  const f = subset(FINALIZERS, 0.4);
  if (f.length > 0) meta.finalizers = f;
  const podSpec: Obj = { containers: names.map(container) };
  const source = (): Obj =>
    pick<Obj>([{ emptyDir: {} }, { configMap: { name: 'cfg' } }, { secret: { secretName: 's' } }, { emptyDir: { medium: 'Memory' } }]);
  const vols = subset(['data', 'cache'], 0.6).map((v) => ({ name: v, ...source() }));
  if (vols.length > 0) podSpec.volumes = vols;
  if (chance(0.3)) podSpec.tolerations = [{ key: pick(['a', 'b']), operator: 'Exists' }];
  const spec: Obj = { replicas: 1 + Math.floor(rand() * 3), template: { metadata: { labels: { app: 'web' } }, spec: podSpec } };
  if (chance(0.5)) spec.strategy = chance(0.5) ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } };
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta, spec };
}

function service(): Obj {
  const ports = subset([80, 443, 9090], 0.7).map((p) => ({ name: `p${p}`, port: p, targetPort: p + 8000 }));
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', labels: labels() },
    spec: { selector: { app: pick(['web', 'api']) }, ports: ports.length > 0 ? ports : [{ port: 80 }] },
  };
}

function configMap(): Obj {
  const data: Obj = {};
  for (const k of subset(['a', 'b', 'c', 'd'])) data[k] = pick(['1', '2']);
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web', namespace: 'default', labels: labels() }, data };
}

function widget(): Obj {
  const spec: Obj = { size: 1 + Math.floor(rand() * 3), items: subset(['a', 'b', 'c']).map((n) => ({ name: n })) };
  if (chance(0.5)) spec.config = { x: pick([1, 2]), y: { z: chance(0.5) } };
  if (chance(0.5)) spec.color = pick(['red', 'blue']);
  return { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'web', namespace: 'default', labels: labels() }, spec };
}

/** What the server and other controllers add to the live object. */
function liveOf(applied: Obj): Obj {
  const live = clone(applied);
  const meta = live.metadata as Obj;
  meta.uid = 'uid-1';
  meta.resourceVersion = '42';
  meta.labels = { ...((meta.labels as Obj | undefined) ?? {}), 'owner.example.com/controller': 'x' };
  if (chance(0.4)) meta.finalizers = [...((meta.finalizers as Json[] | undefined) ?? []), 'other.example.com/f'];
  if (live.kind === 'Deployment') {
    const spec = live.spec as Obj;
    spec.progressDeadlineSeconds = 600;
    const pod = (spec.template as Obj).spec as Obj;
    pod.dnsPolicy = 'ClusterFirst';
    for (const c of pod.containers as Obj[]) {
      c.imagePullPolicy = 'IfNotPresent';
      if (chance(0.3)) c.env = [...((c.env as Json[] | undefined) ?? []), { name: 'INJECTED', value: 'w' }];
    }
    if (chance(0.3)) (pod.containers as Json[]).push({ name: 'istio-proxy', image: 'proxy:1' });
    if (chance(0.3)) (live.spec as Obj).replicas = 9;
    live.status = { replicas: 1 };
  } else if (live.kind === 'Service') {
    (live.spec as Obj).clusterIP = '10.0.0.1';
    (live.spec as Obj).type = 'ClusterIP';
  } else if (live.kind === 'Widget') {
    (live.spec as Obj).zone = 'z1';
    live.status = { ready: true };
  } else if (chance(0.5)) {
    (live.data as Obj).extra = 'e';
  }
  return live;
}

const BUILDERS = [deployment, deployment, service, configMap, widget];

interface ApplyCase {
  name: string;
  lastApplied?: Obj;
  live: Obj;
  desired: Obj;
}

function cases(): ApplyCase[] {
  const out: ApplyCase[] = [];
  for (let i = 0; i < CASES; i++) {
    const build = pick(BUILDERS);
    const lastApplied = chance(0.1) ? undefined : build();
    const live = liveOf(lastApplied ?? build());
    const desired = chance(0.5) ? build() : clone(lastApplied ?? build());
    if (desired.kind === 'Deployment' && chance(0.5)) {
      const pod = ((desired.spec as Obj).template as Obj).spec as Obj;
      (pod.containers as Obj[]).reverse();
    }
    out.push({ name: `${desired.kind} #${i}`, lastApplied, live, desired });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The fake API server: discovery, GET of the live object, PATCH recorded.

const RESOURCES: Record<string, { groupVersion: string; resources: Obj[] }> = {
  '/api/v1': {
    groupVersion: 'v1',
    resources: [
      { name: 'services', singularName: 'service', namespaced: true, kind: 'Service', verbs: ['get', 'patch', 'create'] },
      { name: 'configmaps', singularName: 'configmap', namespaced: true, kind: 'ConfigMap', verbs: ['get', 'patch', 'create'] },
    ],
  },
  '/apis/apps/v1': {
    groupVersion: 'apps/v1',
    resources: [{ name: 'deployments', singularName: 'deployment', namespaced: true, kind: 'Deployment', verbs: ['get', 'patch', 'create'] }],
  },
  '/apis/example.com/v1': {
    groupVersion: 'example.com/v1',
    resources: [{ name: 'widgets', singularName: 'widget', namespaced: true, kind: 'Widget', verbs: ['get', 'patch', 'create'] }],
  },
};

let current: Obj = {};
let recorded: { contentType: string; body: Obj } | undefined;

function send(res: ServerResponse, status: number, body: Json): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
  const url = (req.url ?? '').split('?')[0] as string;
  if (req.method === 'GET' && url === '/api') return send(res, 200, { kind: 'APIVersions', versions: ['v1'] });
  if (req.method === 'GET' && url === '/apis') {
    return send(res, 200, {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: ['apps', 'example.com'].map((g) => ({
        name: g,
        versions: [{ groupVersion: `${g}/v1`, version: 'v1' }],
        preferredVersion: { groupVersion: `${g}/v1`, version: 'v1' },
      })),
    });
  }
  const list = RESOURCES[url];
  if (req.method === 'GET' && list !== undefined) return send(res, 200, { kind: 'APIResourceList', apiVersion: 'v1', ...list });
  if (req.method === 'GET' && /\/namespaces\/default\/\w+\/web$/.test(url)) return send(res, 200, current);
  if (req.method === 'PATCH') {
    recorded = { contentType: String(req.headers['content-type']), body: JSON.parse(body) as Obj };
    return send(res, 200, current);
  }
  send(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
}

function canonical(v: Json): string {
  if (Array.isArray(v)) return `[${v.map((x) => canonical(x)).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: 'utf8' }, (err, stdout, stderr) => resolve(err ? `error: ${stderr.trim().split('\n')[0]}` : stdout));
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'patch-apply-'));
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
    });
    req.on('end', () => handle(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const results: Array<ApplyCase & { id: number; patchType?: string; patch?: Obj; error?: string }> = [];
  try {
    const all = cases();
    for (const [id, c] of all.entries()) {
      current = clone(c.live);
      const meta = current.metadata as Obj;
      // Stored exactly as kubectl writes it (sorted keys, empty annotations, a newline), so that
      // re-applying the same configuration leaves the annotation unchanged.
      if (c.lastApplied !== undefined) {
        const applied = clone(c.lastApplied);
        (applied.metadata as Obj).annotations = {};
        c.lastApplied = applied;
        meta.annotations = { [ANNOTATION]: `${canonical(applied)}\n` };
      }
      recorded = undefined;
      const file = join(dir, 'desired.json');
      writeFileSync(file, JSON.stringify(c.desired));
      const out = await run('kubectl', [
        'apply', '-f', file, `--server=http://127.0.0.1:${port}`, '--validate=false', `--cache-dir=${join(dir, 'cache')}`,
      ]);
      // The same apply with --overwrite=false: kubectl refuses when live changed a field the
      // patch changes differently.
      const kept = recorded as { contentType: string; body: Obj } | undefined;
      recorded = undefined;
      const strict = await run('kubectl', [
        'apply', '-f', file, `--server=http://127.0.0.1:${port}`, '--validate=false', `--cache-dir=${join(dir, 'cache')}`, '--overwrite=false',
      ]);
      const conflict = strict.startsWith('error') ? strict : undefined;
      recorded = kept;
      const entry = { id, ...c, live: current, ...(conflict !== undefined ? { conflictWithoutOverwrite: conflict } : {}) };
      // Set by the server callback while kubectl ran.
      const rec = recorded as { contentType: string; body: Obj } | undefined;
      if (rec === undefined) results.push({ ...entry, ...(out.startsWith('error') ? { error: out } : { patch: {} }) });
      else {
        const type = rec.contentType.includes('strategic') ? 'strategic' : rec.contentType.includes('merge') ? 'merge' : rec.contentType;
        results.push({ ...entry, patchType: type, patch: rec.body });
      }
    }
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  writeFileSync(join(here, 'apply-goldens.json'), `${JSON.stringify({ seed: SEED, cases: results }, null, 1)}\n`);
  const byType: Record<string, number> = {};
  for (const r of results) byType[r.patchType ?? r.error ?? 'no patch'] = (byType[r.patchType ?? r.error ?? 'no patch'] ?? 0) + 1;
  console.log(`apply-goldens.json: ${results.length} cases`, byType);
}

await main();
