import type { KubeObject } from '@gitops-kit/core';
import { planSync } from '@gitops-kit/sync';

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

const desired = objects(1000);
for (let r = 0; r < 5; r++) {
  const t = performance.now();
  planSync(desired, [], { app: 'bench' });
  console.log('fresh plan', (performance.now() - t).toFixed(1));
}
