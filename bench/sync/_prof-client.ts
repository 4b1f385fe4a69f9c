import { readFileSync, writeFileSync } from 'node:fs';
import { KubeClusterClient } from '@gitops-kit/cluster';
import type { KubeObject } from '@gitops-kit/core';
import { loadLiveState, planSync, runSync } from '@gitops-kit/sync';

const NAMESPACES = 10;
function objects(total: number): KubeObject[] {
  const out: KubeObject[] = [];
  for (let n = 0; n < NAMESPACES; n++)
    out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `bench-${n}` } });
  for (let i = 0; out.length < total; i++) {
    const namespace = `bench-${i % NAMESPACES}`;
    const name = `app-${i}`;
    const labels = { app: name, 'app.kubernetes.io/part-of': 'bench' };
    switch (i % 5) {
      case 0:
      case 1:
        out.push({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name, namespace, labels },
          data: { 'app.properties': `name=${name}\nreplicas=${i % 4}\n`, mode: 'prod' },
        });
        break;
      case 2:
        out.push({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name, namespace, labels },
          type: 'Opaque',
          stringData: { password: `pw-${i}` },
        });
        break;
      case 3:
        out.push({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name, namespace, labels },
          spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
        });
        break;
      default:
        out.push({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name, namespace, labels },
          spec: {
            replicas: 2,
            selector: { matchLabels: { app: name } },
            template: {
              metadata: { labels },
              spec: {
                containers: [
                  {
                    name: 'app',
                    image: `registry.example.com/${name}:1.0.0`,
                    ports: [{ name: 'http', containerPort: 8080 }],
                    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
                  },
                ],
              },
            },
          },
        });
    }
  }
  return out;
}

const desiredBase = objects(1000);
writeFileSync(
  '/tmp/syncperf/objects.json',
  JSON.stringify({ apiVersion: 'v1', kind: 'List', items: desiredBase }),
);
const client = await KubeClusterClient.fromKubeconfig(readFileSync(process.argv[2]!, 'utf8'), {
  qps: 0,
  concurrency: Number(process.env.CONC ?? 16),
});
const spid = process.argv[3];
const scpu = () => {
  if (!spid) return 0;
  const f = readFileSync(`/proc/${spid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};
for (let i = 0; i < Number(process.env.ITER ?? 2); i++) {
const desired = process.env.ITER ? desiredBase.map((o) => JSON.parse(JSON.stringify(o).replaceAll('bench-', `b${i}-`).replaceAll('"app-', `"a${i}-`))) : desiredBase;
  const c0 = process.cpuUsage();
  const s0 = scpu();
  const t = performance.now();
  const live = await loadLiveState(client, { app: 'bench', desired });
  const t1 = performance.now();
  const plan = planSync(desired, live, { app: 'bench' });
  const t2 = performance.now();
  const r = await runSync(plan, client, { concurrency: Number(process.env.CONC ?? 16) }).result;
  console.log(
    r.phase,
    r.writes,
    'live',
    (t1 - t).toFixed(0),
    'plan',
    (t2 - t1).toFixed(0),
    'run',
    (performance.now() - t2).toFixed(0),
    'clientCPU',
    ((process.cpuUsage(c0).user + process.cpuUsage(c0).system) / 1000).toFixed(0),
    'serverCPU',
    scpu() - s0,
  );
}
client.close();
